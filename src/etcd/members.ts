import { AlarmAction, AlarmType, type Etcd3 } from 'etcd3';
import { PreconditionFailed, errorMessage } from '../errors.js';
import { textTable } from '../markdown.js';
import { connectMember } from './client.js';
import type { EtcdConnectionSettings } from './settings.js';
import { diagnoseTls } from './tls-diagnosis.js';

export interface MemberProbe {
  endpoint: string;
  /** Decimal uint64, kept as text. */
  memberId?: string;
  name?: string;
  leaderId?: string;
  version?: string;
  dbSizeBytes?: number;
  revision?: number;
  raftTerm?: string;
  alarms: string[];
  /** Why this member must not be used; undefined when healthy. */
  problem?: string;
}

export interface ClusterMember {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
}

export type MemberPreference = { kind: 'leader' } | { kind: 'any' } | { kind: 'named'; name: string };

export function isLeader(p: MemberProbe): boolean {
  return p.problem === undefined && p.memberId !== undefined && p.memberId === p.leaderId;
}

/**
 * Chooses the member to stream from. Never an unhealthy one. `leader` falls back to another healthy
 * member only when the leader is not among the endpoints (the warning says so).
 */
export function chooseMember(
  probes: MemberProbe[],
  preference: MemberPreference,
): { probe: MemberProbe; warning?: string } | { error: string } {
  const healthy = probes.filter((p) => p.problem === undefined);
  if (preference.kind === 'named') {
    const named = probes.filter((p) => p.name === preference.name);
    if (named.length === 0) {
      const known = probes.filter((p) => p.name).map((p) => p.name);
      return {
        error: `member: no member named ${JSON.stringify(preference.name)}; members: ${known.join(', ') || '(none reachable)'}`,
      };
    }
    const ok = named.find((p) => p.problem === undefined);
    return ok ? { probe: ok } : { error: `member: ${preference.name} is not healthy: ${named[0]!.problem}` };
  }
  if (healthy.length === 0) return { error: 'no healthy etcd member among the endpoints' };
  if (preference.kind === 'leader') {
    const leader = healthy.find(isLeader);
    if (leader) return { probe: leader };
    const leaderIds = new Set(healthy.map((p) => p.leaderId).filter((id) => id && id !== '0'));
    if (leaderIds.size === 0)
      return { error: 'no etcd member reports a leader: the cluster has lost quorum' };
    return {
      probe: healthy[0]!,
      warning: `the leader (member id ${[...leaderIds].join(', ')}) is not among the endpoints; using ${healthy[0]!.name ?? healthy[0]!.endpoint}`,
    };
  }
  return { probe: healthy[0]! };
}

export function probeTable(probes: MemberProbe[]): string {
  return textTable(
    ['endpoint', 'name', 'leader', 'version', 'db size', 'state'],
    probes.map((p) => [
      p.endpoint,
      p.name ?? '?',
      isLeader(p) ? 'yes' : p.memberId ? 'no' : '?',
      p.version ?? '?',
      p.dbSizeBytes === undefined ? '?' : `${(p.dbSizeBytes / 1048576).toFixed(1)} MiB`,
      p.problem ?? (p.alarms.length ? `healthy, alarms: ${p.alarms.join(', ')}` : 'healthy'),
    ]),
  );
}

async function probeOne(
  settings: EtcdConnectionSettings,
  endpoint: string,
  timeoutMs: number,
): Promise<{ probe: MemberProbe; members: ClusterMember[] }> {
  const client: Etcd3 = connectMember(settings, endpoint, timeoutMs);
  const probe: MemberProbe = { endpoint, alarms: [] };
  let members: ClusterMember[] = [];
  try {
    const status = await client.maintenance.status();
    probe.memberId = status.header.member_id;
    probe.leaderId = status.leader;
    probe.version = status.version;
    probe.dbSizeBytes = Number(status.dbSize);
    probe.revision = Number(status.header.revision);
    probe.raftTerm = status.raftTerm;
    const errors = (status as { errors?: string[] }).errors ?? [];
    // A linearizable read proves the member is part of a working quorum, not just alive.
    await client.get('kubesafe-health-probe').exists();
    const list = await client.cluster.memberList({ linearizable: false });
    members = list.members.map((m) => ({
      id: m.ID,
      name: m.name,
      peerUrls: m.peerURLs,
      clientUrls: m.clientURLs,
    }));
    probe.name = members.find((m) => m.id === probe.memberId)?.name;
    const alarms = await client.maintenance.alarm({
      action: AlarmAction.Get,
      memberID: '0',
      alarm: AlarmType.None,
    });
    probe.alarms = alarms.alarms
      .filter((a) => a.memberID === probe.memberId || a.memberID === '0')
      .map((a) => String(a.alarm));
    if (errors.length > 0) probe.problem = `member reports errors: ${errors.join('; ')}`;
    else if (probe.leaderId === '0') probe.problem = 'member has no leader';
  } catch (err) {
    probe.problem =
      (await diagnoseTls(settings, endpoint, err)) ?? `unreachable or failing: ${shortGrpcError(err)}`;
  } finally {
    client.close();
  }
  return { probe, members };
}

export function shortGrpcError(err: unknown): string {
  return errorMessage(err)
    .replace(/^Error:\s*/, '')
    .split('\n')[0]!
    .slice(0, 300);
}

/** Probes every endpoint in parallel: status, a linearizable read, member list and alarms. */
export async function probeMembers(
  settings: EtcdConnectionSettings,
  timeoutMs = 5000,
): Promise<{ probes: MemberProbe[]; members: ClusterMember[] }> {
  const results = await Promise.all(settings.endpoints.map((e) => probeOne(settings, e, timeoutMs)));
  const members = results.find((r) => r.members.length > 0)?.members ?? [];
  return { probes: results.map((r) => r.probe), members };
}

export function unusableClusterError(probes: MemberProbe[], reason: string): PreconditionFailed {
  return new PreconditionFailed(`${reason}; nothing was stored.\n${probeTable(probes)}`);
}
