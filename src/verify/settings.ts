import { InputError } from '../errors.js';
import { parseBool, parseDuration, parseList, type InputSource } from '../inputs.js';
import type { WorkloadKind, WorkloadRef } from './checks.js';

export interface VerifySettings {
  kubeconfig: string;
  context: string;
  nodes: boolean;
  controlPlane: boolean;
  namespaces: string[];
  workloads: WorkloadRef[];
  /** Shell commands, run locally one after the other once the cluster checks pass. */
  commands: string[];
  timeoutMs: number;
  intervalMs: number;
  commandTimeoutMs: number;
  failOnUnhealthy: boolean;
}

const KIND_ALIASES: Record<string, WorkloadKind> = {
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  sts: 'statefulset',
  deployment: 'deployment',
  deployments: 'deployment',
  deploy: 'deployment',
  daemonset: 'daemonset',
  daemonsets: 'daemonset',
  ds: 'daemonset',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `statefulset/ns/name,deployment/ns/name` (also `sts`, `deploy`, `ds`). */
export function parseWorkloads(value: string): WorkloadRef[] {
  return parseList(value).map((item) => {
    const parts = item.split('/');
    const kind = KIND_ALIASES[parts[0]?.toLowerCase() ?? ''];
    if (parts.length !== 3 || !kind || !DNS_LABEL.test(parts[1]!) || !DNS_SUBDOMAIN.test(parts[2]!))
      throw new InputError(
        'workloads',
        item,
        'KIND/NAMESPACE/NAME with KIND statefulset, deployment or daemonset, e.g. statefulset/db/postgres',
      );
    return { kind, namespace: parts[1]!, name: parts[2]! };
  });
}

export function parseNamespaces(value: string): string[] {
  const list = parseList(value);
  for (const ns of list)
    if (!DNS_LABEL.test(ns)) throw new InputError('namespaces', ns, 'a namespace name (a DNS label)');
  return [...new Set(list)];
}

/** One command per line (a line may hold `&&` chains); blank lines are skipped. */
export function parseCommands(value: string): string[] {
  return value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function parseVerifySettings(inputs: InputSource): VerifySettings {
  const timeoutMs = parseDuration('timeout', inputs.get('timeout'), 5 * 60_000);
  const intervalMs = parseDuration('interval', inputs.get('interval'), 10_000);
  if (intervalMs < 100)
    throw new InputError('interval', inputs.get('interval'), 'a duration of at least 100ms');
  const commandTimeoutMs = parseDuration('command-timeout', inputs.get('command-timeout'), 5 * 60_000);
  if (commandTimeoutMs < 1000)
    throw new InputError('command-timeout', inputs.get('command-timeout'), 'a duration of at least 1s');
  return {
    kubeconfig: inputs.get('kubeconfig'),
    context: inputs.get('context'),
    nodes: parseBool('nodes', inputs.get('nodes'), true),
    controlPlane: parseBool('control-plane', inputs.get('control-plane'), true),
    namespaces: parseNamespaces(inputs.get('namespaces')),
    workloads: parseWorkloads(inputs.get('workloads')),
    commands: parseCommands(inputs.get('commands')),
    timeoutMs,
    intervalMs,
    commandTimeoutMs,
    failOnUnhealthy: parseBool('fail-on-unhealthy', inputs.get('fail-on-unhealthy'), true),
  };
}
