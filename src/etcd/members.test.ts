import { describe, expect, it } from '@jest/globals';
import { chooseMember, type MemberProbe } from './members.js';

const probe = (p: Partial<MemberProbe>): MemberProbe => ({
  endpoint: `http://${p.name ?? 'x'}:2379`,
  alarms: [],
  ...p,
});
// Ids beyond 2^53: they must be compared as text, never as numbers.
const A = '10276657743932975437';
const B = '10276657743932975438';
const C = '10276657743932975439';

describe('chooseMember', () => {
  const healthy = [
    probe({ name: 'a', memberId: A, leaderId: B }),
    probe({ name: 'b', memberId: B, leaderId: B }),
    probe({ name: 'c', memberId: C, leaderId: B }),
  ];

  it('takes the leader when asked, telling ids apart that a double would merge', () => {
    expect(chooseMember(healthy, { kind: 'leader' })).toEqual({ probe: healthy[1] });
  });

  it('falls back to a healthy member with a warning when the leader is not among the endpoints', () => {
    const r = chooseMember([healthy[0]!, healthy[2]!], { kind: 'leader' });
    expect('probe' in r && r.probe.name).toBe('a');
    expect('warning' in r && r.warning).toMatch(
      /leader \(member id 10276657743932975438\) is not among the endpoints/,
    );
  });

  it('never takes an unhealthy leader', () => {
    const probes = [
      probe({ name: 'b', memberId: B, leaderId: B, problem: 'member reports errors: corrupt' }),
      healthy[2]!,
    ];
    const r = chooseMember(probes, { kind: 'leader' });
    expect('probe' in r && r.probe.name).toBe('c');
  });

  it('fails when no member is healthy', () => {
    const probes = [
      probe({ name: 'a', problem: 'unreachable' }),
      probe({ name: 'b', problem: 'unreachable' }),
    ];
    expect(chooseMember(probes, { kind: 'any' })).toEqual({
      error: 'no healthy etcd member among the endpoints',
    });
  });

  it('fails when no member sees a leader', () => {
    const probes = [probe({ name: 'a', memberId: A, leaderId: '0' })];
    expect(chooseMember(probes, { kind: 'leader' })).toEqual({
      error: 'no etcd member reports a leader: the cluster has lost quorum',
    });
  });

  it('takes a named member only when it is healthy, and names the known ones otherwise', () => {
    expect(chooseMember(healthy, { kind: 'named', name: 'c' })).toEqual({ probe: healthy[2] });
    expect(chooseMember(healthy, { kind: 'named', name: 'zz' })).toEqual({
      error: 'member: no member named "zz"; members: a, b, c',
    });
    const sick = [probe({ name: 'c', memberId: C, problem: 'member has no leader' })];
    expect(chooseMember(sick, { kind: 'named', name: 'c' })).toEqual({
      error: 'member: c is not healthy: member has no leader',
    });
  });
});
