/**
 * Where the workload's pods can land: node eligibility as the scheduler's filters see it (readiness,
 * cordon, nodeSelector, required node affinity, taints, required anti-affinity, hard spread constraints)
 * and room (allocatable minus requests of the pods already there). Pure.
 */
import { parseQuantity } from './quantity.js';
import {
  isNodeReady,
  matchesLabelSelector,
  matchesNodeSelectorTerms,
  matchesRequirement,
  untoleratedTaints,
} from './selectors.js';
import type { NodeView, PodSpec, PodView, ResourceList } from './types.js';

export const WELL_KNOWN_ZONE_KEYS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** Any well-known zone key, the one in use, or a driver's own key ending in `/zone`. */
export function isZoneKey(key: string, zoneKey = ''): boolean {
  return key === zoneKey || WELL_KNOWN_ZONE_KEYS.includes(key) || key.endsWith('/zone');
}

/** A node's zone: the zone key's label, else the well-known labels. */
export function nodeZone(node: NodeView, zoneKey: string): string | undefined {
  const labels = node.metadata.labels ?? {};
  for (const k of [zoneKey, ...WELL_KNOWN_ZONE_KEYS]) if (k && labels[k]) return labels[k];
  return undefined;
}

export interface Requests {
  cpu: number;
  memory: number;
}

function requestsOf(list: { requests?: ResourceList; limits?: ResourceList } | undefined): Requests {
  // A container with only limits gets requests equal to them (API defaulting).
  const get = (k: string) => parseQuantity(list?.requests?.[k] ?? list?.limits?.[k]) ?? 0;
  return { cpu: get('cpu'), memory: get('memory') };
}

/** The scheduler's effective request: max(sum of containers, largest init container) + overhead. */
export function podRequests(spec: PodSpec | undefined): Requests {
  const sum = { cpu: 0, memory: 0 };
  for (const c of spec?.containers ?? []) {
    const r = requestsOf(c.resources);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  for (const c of spec?.initContainers ?? []) {
    const r = requestsOf(c.resources);
    sum.cpu = Math.max(sum.cpu, r.cpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  sum.cpu += parseQuantity(spec?.overhead?.cpu) ?? 0;
  sum.memory += parseQuantity(spec?.overhead?.memory) ?? 0;
  return sum;
}

export function isActivePod(pod: PodView): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** Why the template keeps its pods off this node, or undefined when it may land there. */
export function nodeRejection(
  node: NodeView,
  spec: PodSpec | undefined,
  namespace: string,
  otherPods: PodView[],
  nodesByName: Map<string, NodeView>,
): string | undefined {
  if (!isNodeReady(node)) return 'not Ready';
  if (node.spec?.unschedulable) return 'cordoned';
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return `nodeSelector ${k}=${v} does not match`;
  }
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0 && !matchesNodeSelectorTerms(terms, node))
    return 'required node affinity does not match';
  const taints = untoleratedTaints(node, spec?.tolerations);
  if (taints.length > 0)
    return `taint ${taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')} not tolerated`;
  // Anti-affinity against pods that are not the workload's: the whole topology domain is excluded.
  for (const term of spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const domain = labels[term.topologyKey];
    if (domain === undefined) continue;
    const namespaces = term.namespaces && term.namespaces.length > 0 ? term.namespaces : [namespace];
    const blocker = otherPods.find((p) => {
      if (!isActivePod(p) || !namespaces.includes(p.metadata.namespace ?? '')) return false;
      if (!matchesLabelSelector(term.labelSelector, p.metadata.labels)) return false;
      const other = nodesByName.get(p.spec?.nodeName ?? '');
      return other !== undefined && other.metadata.labels?.[term.topologyKey] === domain;
    });
    if (blocker)
      return `required anti-affinity with pod ${blocker.metadata.namespace}/${blocker.metadata.name} (${term.topologyKey}=${domain})`;
  }
  return undefined;
}

/** For each target zone, the terms of the template that rule it out by zone (the template pins the workload). */
export function zonePinning(spec: PodSpec | undefined, targetZone: string, zoneKey: string): string[] {
  const blocks: string[] = [];
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) {
    if (isZoneKey(k, zoneKey) && v !== targetZone) blocks.push(`nodeSelector ${k}=${v}`);
  }
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const termBlocks = terms.map((t, i) => {
    const e = (t.matchExpressions ?? []).find(
      (x) => isZoneKey(x.key, zoneKey) && !matchesRequirement(x, targetZone),
    );
    return e
      ? `required node affinity term ${i + 1} (${e.key} ${e.operator} ${(e.values ?? []).join(',')})`
      : undefined;
  });
  // Terms are ORed: the zone is blocked by affinity only when every term blocks it.
  if (terms.length > 0 && termBlocks.every((b) => b !== undefined)) blocks.push(...(termBlocks as string[]));
  return blocks;
}

export interface NodeRoom {
  node: string;
  /** How many more of the workload's pods fit by CPU, memory and pod count. */
  fits: number;
  freeCpu: number;
  freeMemory: number;
}

/** Free room per node, with the workload's own pods not counted (they are scaled to zero first). */
export function nodeRoom(node: NodeView, podsOnNode: PodView[], req: Requests): NodeRoom {
  const alloc = node.status?.allocatable ?? {};
  let cpu = parseQuantity(alloc.cpu) ?? 0;
  let memory = parseQuantity(alloc.memory) ?? 0;
  let pods = parseQuantity(alloc.pods) ?? 110;
  for (const p of podsOnNode) {
    if (!isActivePod(p)) continue;
    const r = podRequests(p.spec);
    cpu -= r.cpu;
    memory -= r.memory;
    pods -= 1;
  }
  const by = (free: number, need: number) =>
    need > 0 ? Math.floor(free / need + 1e-9) : Number.POSITIVE_INFINITY;
  const fits = Math.max(0, Math.min(by(cpu, req.cpu), by(memory, req.memory), Math.floor(pods)));
  return { node: node.metadata.name ?? '', fits, freeCpu: cpu, freeMemory: memory };
}

/**
 * How many of the workload's pods one node may take because of the template's own rules: required
 * anti-affinity that matches the workload's labels on the hostname key allows one per node; a hard spread
 * constraint on the hostname key allows maxSkew per node (every other node ends at zero).
 */
export function perNodeLimit(spec: PodSpec | undefined, podLabels: Record<string, string>): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const t of spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.topologyKey === HOSTNAME_KEY && matchesLabelSelector(t.labelSelector, podLabels))
      limit = Math.min(limit, 1);
  }
  for (const c of spec?.topologySpreadConstraints ?? []) {
    if (
      c.whenUnsatisfiable === 'DoNotSchedule' &&
      c.topologyKey === HOSTNAME_KEY &&
      matchesLabelSelector(c.labelSelector, podLabels)
    ) {
      limit = Math.min(limit, c.maxSkew);
    }
  }
  return limit;
}

/** Zone-level rules of the template that the planned counts break (anti-affinity or hard spread on a zone key). */
export function zoneRuleViolations(
  spec: PodSpec | undefined,
  podLabels: Record<string, string>,
  zoneKey: string,
  countsByZone: Map<string, number>,
  eligibleZones: string[],
): string[] {
  const out: string[] = [];
  for (const t of spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!isZoneKey(t.topologyKey, zoneKey) || !matchesLabelSelector(t.labelSelector, podLabels)) continue;
    for (const [zone, n] of countsByZone) {
      if (n > 1)
        out.push(
          `required anti-affinity on ${t.topologyKey} allows one pod per zone; the plan puts ${n} in ${zone}`,
        );
    }
  }
  for (const c of spec?.topologySpreadConstraints ?? []) {
    if (
      c.whenUnsatisfiable !== 'DoNotSchedule' ||
      !isZoneKey(c.topologyKey, zoneKey) ||
      !matchesLabelSelector(c.labelSelector, podLabels)
    )
      continue;
    // Every zone with an eligible node is a domain, even with no pod in it.
    const counts = eligibleZones.map((z) => countsByZone.get(z) ?? 0);
    const skew = Math.max(...counts) - Math.min(...counts);
    if (skew > c.maxSkew) {
      out.push(
        `hard topology spread on ${c.topologyKey} (maxSkew ${c.maxSkew}) is broken: the plan gives ${eligibleZones
          .map((z) => `${z}=${countsByZone.get(z) ?? 0}`)
          .join(', ')} over the zones with eligible nodes`,
      );
    }
  }
  return out;
}
