import { PreconditionFailed } from '../errors.js';
import {
  parseVersion,
  restoreArgv,
  restoreToolForVersion,
  supportsBumpRevision,
  type RestoreToolKind,
} from './binaries.js';
import { initialCluster, type RestoreMember } from './restore-members.js';
import { shellQuote } from '../ssh/shell.js';

/** The restore tool found (or assumed) on one member. */
export interface MemberTool {
  kind: RestoreToolKind;
  /** Command to run: a bare name (found on the PATH) or an absolute path. */
  path: string;
  version: string;
  /** 0 when the tool cannot bump revisions (etcdctl 3.4, etcdutl before 3.5.10) or the user turned it off. */
  bumpRevision: number;
}

/** Commands run on each member; `$KUBESAFE_MEMBER`, `$KUBESAFE_DATA_DIR` and friends are set for them. */
export interface RestoreHooks {
  stopApiserver: string;
  startApiserver: string;
  stopEtcd: string;
  startEtcd: string;
}

export interface PlanSnapshot {
  uri: string;
  sha256: string;
  revision: number;
  cluster: string;
  etcdVersion: string;
  createdAt: string;
}

export interface RestorePlanInput {
  snapshot: PlanSnapshot;
  members: RestoreMember[];
  tools: Record<string, MemberTool>;
  hooks: RestoreHooks;
  clusterToken: string;
  /** `20261201T204551Z`: names the moved-aside data dirs. */
  stamp: string;
  force: boolean;
  /** etcdctl for the health step of the scripts: a bare name or a path on the members. */
  etcdctl: string;
  /** Extra etcdctl flags for the health step (TLS files on the members). */
  etcdctlFlags: string;
  healthTimeoutSeconds: number;
}

/**
 * Steps in the order they run. Each runs on every member before the next starts (a fresh cluster
 * needs all its members restored before any of them can form a quorum).
 */
export const STEPS = [
  'check',
  'verify-snapshot',
  'stop-apiserver',
  'stop-etcd',
  'move-aside',
  'restore',
  'start-etcd',
  'check-health',
  'start-apiserver',
] as const;
export type StepName = (typeof STEPS)[number];

/** Steps that change nothing on the member: a failure there leaves it as it was. */
export const READ_ONLY_STEPS: readonly StepName[] = ['check', 'verify-snapshot'];

export interface PlanStep {
  name: StepName;
  description: string;
  /** POSIX sh body; run with `set -eu` after the member's environment. */
  body: string;
}

export interface MemberPlan {
  member: RestoreMember;
  tool: MemberTool;
  /** Where the verified snapshot goes on the member, beside the data dir (same filesystem, not /tmp). */
  snapshotPath: string;
  movedAsidePath: string;
  guardPath: string;
  argv: string[];
  steps: PlanStep[];
  /** The whole per-member script: `sh restore-NAME.sh STEP`. */
  script: string;
}

export interface RestorePlan {
  initialCluster: string;
  clusterToken: string;
  members: MemberPlan[];
}

export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

/** Paths a restore uses beside a data dir. The guard survives the move-aside, so it sits outside the data dir. */
export function restorePaths(
  dataDir: string,
  sha256: string,
  stamp: string,
): { snapshotPath: string; movedAsidePath: string; guardPath: string } {
  return {
    snapshotPath: `${dataDir}.kubesafe-snapshot-${shortSha(sha256)}.db`,
    movedAsidePath: `${dataDir}.kubesafe-before-${stamp}`,
    guardPath: `${dataDir}.kubesafe-restored-${shortSha(sha256)}`,
  };
}

/** Environment for every step and hook of a member. */
export function memberEnvironment(m: RestoreMember): string {
  const vars: [string, string][] = [
    ['KUBESAFE_MEMBER', m.name],
    ['KUBESAFE_DATA_DIR', m.dataDir],
    ['KUBESAFE_PEER_URLS', m.peerUrls.join(',')],
    ['KUBESAFE_CLIENT_URLS', m.clientUrls.join(',')],
  ];
  return vars.map(([k, v]) => `${k}=${shellQuote(v)}; export ${k}`).join('\n');
}

/** A bounded wait in sh: `until CONDITION` for at most `seconds`. */
export function boundedWait(condition: string, seconds: number, what: string): string {
  const tries = Math.max(1, Math.ceil(seconds / 2));
  return [
    'kubesafe_i=0',
    `until ${condition}; do`,
    '  kubesafe_i=$((kubesafe_i + 1))',
    `  if [ "$kubesafe_i" -ge ${tries} ]; then echo ${shellQuote(`kubesafe: ${what} after ${seconds} s`)} >&2; exit 1; fi`,
    '  sleep 2',
    'done',
  ].join('\n');
}

const STOPPED_DIR = '/etc/kubernetes/kubesafe-stopped';

/**
 * The kubeadm default: the kubelet runs static pods from /etc/kubernetes/manifests, so moving a
 * manifest out stops the pod and moving it back starts it. The wait is on the container runtime.
 */
export function staticPodHook(
  component: 'kube-apiserver' | 'etcd',
  action: 'stop' | 'start',
  seconds = 120,
): string {
  const manifest = `/etc/kubernetes/manifests/${component}.yaml`;
  const parked = `${STOPPED_DIR}/${component}.yaml`;
  const running = `crictl ps -q --name '^${component}$' --state running`;
  if (action === 'stop') {
    return [
      `mkdir -p ${STOPPED_DIR}`,
      `if [ -f ${manifest} ]; then mv ${manifest} ${parked}; fi`,
      boundedWait(
        `[ -z "$(crictl ps -q --name '^${component}$')" ]`,
        seconds,
        `the ${component} container is still there`,
      ),
    ].join('\n');
  }
  return [
    `if [ -f ${parked} ]; then mv ${parked} ${manifest}; fi`,
    boundedWait(`[ -n "$(${running})" ]`, seconds, `no running ${component} container`),
  ].join('\n');
}

export function defaultHooks(): RestoreHooks {
  return {
    stopApiserver: staticPodHook('kube-apiserver', 'stop'),
    startApiserver: staticPodHook('kube-apiserver', 'start', 300),
    stopEtcd: staticPodHook('etcd', 'stop'),
    startEtcd: staticPodHook('etcd', 'start'),
  };
}

function memberSteps(
  input: RestorePlanInput,
  m: RestoreMember,
  tool: MemberTool,
  paths: ReturnType<typeof restorePaths>,
  argv: string[],
): PlanStep[] {
  const q = shellQuote;
  const sha = input.snapshot.sha256;
  const guardNote = `kubesafe: ${paths.guardPath} exists: this member was already restored from snapshot ${shortSha(sha)}`;
  const toolRun = tool.kind === 'etcdctl' ? `ETCDCTL_API=3 ${q(tool.path)}` : q(tool.path);
  const guardText = [
    `snapshot=${sha}`,
    `uri=${input.snapshot.uri}`,
    `restored-at=${input.stamp}`,
    `previous-data-dir=${paths.movedAsidePath}`,
  ];
  return [
    {
      name: 'check',
      description: 'refuse a second restore of this snapshot; check the data dir parent and the restore tool',
      body: [
        input.force
          ? `if [ -e ${paths.guardPath} ]; then echo ${q(`${guardNote}; restoring again (force)`)}; fi`
          : `if [ -e ${paths.guardPath} ]; then echo ${q(`${guardNote}; set force: true to restore it again`)} >&2; cat ${paths.guardPath} >&2; exit 3; fi`,
        `if [ ! -d ${q(parentOf(m.dataDir))} ]; then echo ${q(`kubesafe: ${parentOf(m.dataDir)} (the parent of the data dir) does not exist`)} >&2; exit 3; fi`,
        `if ! command -v ${q(tool.path)} >/dev/null 2>&1; then echo ${q(`kubesafe: ${tool.path} is not installed on this member`)} >&2; exit 3; fi`,
      ].join('\n'),
    },
    {
      name: 'verify-snapshot',
      description: `prove the copied snapshot is the verified one (SHA-256 ${shortSha(sha)}…)`,
      body: [
        `kubesafe_sum=$(sha256sum ${paths.snapshotPath} | cut -d' ' -f1)`,
        `if [ "$kubesafe_sum" != ${sha} ]; then echo "kubesafe: ${paths.snapshotPath} has SHA-256 $kubesafe_sum, expected ${sha}" >&2; exit 4; fi`,
      ].join('\n'),
    },
    { name: 'stop-apiserver', description: 'stop the API server', body: input.hooks.stopApiserver },
    { name: 'stop-etcd', description: 'stop etcd', body: input.hooks.stopEtcd },
    {
      name: 'move-aside',
      description: `move the data dir to ${paths.movedAsidePath} (kept: the way back)`,
      body: `if [ -e ${m.dataDir} ]; then mv ${m.dataDir} ${paths.movedAsidePath}; echo 'kubesafe: moved ${m.dataDir} to ${paths.movedAsidePath}'; else echo 'kubesafe: ${m.dataDir} does not exist; nothing to move'; fi`,
    },
    {
      name: 'restore',
      description: `${tool.kind} snapshot restore into ${m.dataDir}`,
      body: [
        `${toolRun} ${argv.map(q).join(' ')}`,
        `printf '%s\\n' ${guardText.map(q).join(' ')} > ${paths.guardPath}`,
        // A plain-text snapshot holds every Secret of the cluster: it does not stay on the disk.
        `rm -f ${paths.snapshotPath}`,
      ].join('\n'),
    },
    {
      name: 'start-etcd',
      description: 'start etcd (on every member together: the first waits for a quorum)',
      body: input.hooks.startEtcd,
    },
    {
      name: 'check-health',
      description: 'wait until this member reports healthy',
      body: boundedWait(
        `ETCDCTL_API=3 ${q(input.etcdctl)} --endpoints=${q(m.clientUrls.join(','))}${input.etcdctlFlags ? ' ' + input.etcdctlFlags : ''} endpoint health >/dev/null 2>&1`,
        input.healthTimeoutSeconds,
        `${m.name} is not healthy`,
      ),
    },
    { name: 'start-apiserver', description: 'start the API server', body: input.hooks.startApiserver },
  ];
}

function parentOf(dir: string): string {
  const i = dir.lastIndexOf('/');
  return i <= 0 ? '/' : dir.slice(0, i);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : '  ' + l))
    .join('\n');
}

function scriptFor(input: RestorePlanInput, plan: Omit<MemberPlan, 'script'>): string {
  const fn = (s: StepName) => 'step_' + s.replace(/-/g, '_');
  return [
    '#!/bin/sh',
    `# kubesafe etcd-restore: member ${plan.member.name} of cluster ${input.snapshot.cluster}`,
    `# snapshot ${input.snapshot.uri}`,
    `# SHA-256 ${input.snapshot.sha256}, revision ${input.snapshot.revision}, taken ${input.snapshot.createdAt}`,
    '#',
    '# Run one step at a time, on every member, and finish each step on all members before the next:',
    `#   sh restore-${plan.member.name}.sh STEP   with STEP in order: ${STEPS.join(' ')}`,
    '# start-etcd runs on all members at the same time: the first one waits until a quorum has started.',
    `# Before verify-snapshot, copy the verified snapshot to ${plan.snapshotPath}.`,
    `# To go back: stop etcd, then mv ${plan.member.dataDir} ${plan.member.dataDir}.failed && mv ${plan.movedAsidePath} ${plan.member.dataDir}`,
    'set -eu',
    memberEnvironment(plan.member),
    '',
    ...plan.steps.flatMap((s) => [`# ${s.description}`, `${fn(s.name)}() {`, indent(s.body), '}', '']),
    'case "${1:-}" in',
    ...STEPS.map((s) => `  ${s}) ${fn(s)} ;;`),
    `  *) echo "usage: sh $0 STEP; steps in order: ${STEPS.join(' ')}" >&2; exit 2 ;;`,
    'esac',
    '',
  ].join('\n');
}

/** The restore plan for every member. Pure: the same input gives the same scripts. */
export function buildRestorePlan(input: RestorePlanInput): RestorePlan {
  const cluster = initialCluster(input.members);
  const members = input.members.map((m): MemberPlan => {
    const tool = input.tools[m.name];
    if (!tool) throw new Error(`no restore tool for member ${m.name}`);
    const paths = restorePaths(m.dataDir, input.snapshot.sha256, input.stamp);
    const argv = restoreArgv(tool.kind, {
      snapshotPath: paths.snapshotPath,
      name: m.name,
      initialCluster: cluster,
      initialClusterToken: input.clusterToken,
      initialAdvertisePeerUrls: m.peerUrls.join(','),
      dataDir: m.dataDir,
      bumpRevision: tool.bumpRevision,
      markCompacted: tool.bumpRevision > 0,
    });
    const partial = { member: m, tool, ...paths, argv, steps: memberSteps(input, m, tool, paths, argv) };
    return { ...partial, script: scriptFor(input, partial) };
  });
  return { initialCluster: cluster, clusterToken: input.clusterToken, members };
}

/** What runs for one step over SSH: the member's environment, strict mode, the body. */
export function stepCommand(plan: MemberPlan, step: PlanStep): string {
  return `sh -c ${shellQuote(['set -eu', memberEnvironment(plan.member), step.body].join('\n'))}`;
}

/** `auto`: bump by a billion where the tool can (what the Kubernetes restore guide uses); a number; 0 for off. */
export type BumpSetting = 'auto' | number;
export const AUTO_BUMP = 1_000_000_000;

function bumpFor(
  kind: RestoreToolKind,
  version: [number, number, number],
  bump: BumpSetting,
  where: string,
): number {
  const supported = supportsBumpRevision(kind, version);
  if (bump === 'auto') return supported ? AUTO_BUMP : 0;
  if (bump > 0 && !supported) {
    throw new PreconditionFailed(
      `bump-revision: ${where} restores with ${kind} ${version.join('.')}, which has no --bump-revision (etcdutl 3.5.10 and later have it); set bump-revision: 0 or auto`,
    );
  }
  return bump;
}

/** The tool a member of this etcd version restores with (plan mode, where the members are not asked). */
export function toolForVersion(versionText: string, binDir: string, bump: BumpSetting): MemberTool {
  const version = parseVersion(versionText);
  if (!version)
    throw new PreconditionFailed(
      `etcd-version: cannot tell the etcd version from ${JSON.stringify(versionText)}; set etcd-version, e.g. 3.5.21`,
    );
  const kind = restoreToolForVersion(version);
  return {
    kind,
    path: binDir ? `${binDir}/${kind}` : kind,
    version: version.join('.'),
    bumpRevision: bumpFor(kind, version, bump, `etcd ${version.join('.')}`),
  };
}

/** A read-only probe of the restore tools on a member: one `KIND PATH VERSION-TEXT` line per tool found. */
export function toolProbeCommand(binDir: string): string {
  const find = binDir
    ? (t: string) =>
        `if [ -x ${shellQuote(`${binDir}/${t}`)} ]; then p=${shellQuote(`${binDir}/${t}`)}; else p=''; fi`
    : (t: string) => `p=$(command -v ${t} 2>/dev/null || true)`;
  const lines = (['etcdutl', 'etcdctl'] as const).map(
    (t) =>
      `${find(t)}; if [ -n "$p" ]; then echo "${t} $p $(ETCDCTL_API=3 "$p" version 2>/dev/null | head -n 1)"; fi`,
  );
  return `sh -c ${shellQuote(lines.join('\n'))}`;
}

/** Chooses the member's restore tool from the probe: etcdutl when present, else etcdctl before 3.6. */
export function chooseMemberTool(member: string, probeOutput: string, bump: BumpSetting): MemberTool {
  const found = new Map<string, { path: string; version?: [number, number, number] }>();
  for (const line of probeOutput.split('\n')) {
    const m = /^(etcdutl|etcdctl) (\S+) ?(.*)$/.exec(line.trim());
    if (m) found.set(m[1]!, { path: m[2]!, version: parseVersion(m[3]!) });
  }
  const etcdutl = found.get('etcdutl');
  const etcdctl = found.get('etcdctl');
  if (etcdutl?.version) {
    return {
      kind: 'etcdutl',
      path: etcdutl.path,
      version: etcdutl.version.join('.'),
      bumpRevision: bumpFor('etcdutl', etcdutl.version, bump, member),
    };
  }
  if (etcdctl?.version && restoreToolForVersion(etcdctl.version) === 'etcdctl') {
    return {
      kind: 'etcdctl',
      path: etcdctl.path,
      version: etcdctl.version.join('.'),
      bumpRevision: bumpFor('etcdctl', etcdctl.version, bump, member),
    };
  }
  if (etcdctl?.version && etcdctl.version[1] === 5) {
    // 3.5's etcdctl still restores (deprecated); etcdutl is the tool, but use what is there.
    return {
      kind: 'etcdctl',
      path: etcdctl.path,
      version: etcdctl.version.join('.'),
      bumpRevision: bumpFor('etcdctl', etcdctl.version, bump, member),
    };
  }
  const seen = [...found.entries()].map(
    ([k, v]) => `${k} ${v.version?.join('.') ?? '(version unknown)'} at ${v.path}`,
  );
  throw new PreconditionFailed(
    `${member}: no restore tool: needs etcdutl (etcd 3.5+) or etcdctl 3.4; found ${seen.join(', ') || 'neither'}` +
      ' (set member-etcd-bin-dir to the folder that holds them)',
  );
}
