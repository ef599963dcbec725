import { InputError } from '../errors.js';
import { parseDuration } from '../inputs.js';

/**
 * Which snapshots a retention policy keeps. Pure: plain data in, a decision out; applied by
 * applyRetention (catalog.ts). All calendar buckets are UTC.
 */
export type RetentionPolicy =
  | { kind: 'count'; keep: number }
  | { kind: 'age'; maxAgeMs: number }
  | { kind: 'gfs'; hourly: number; daily: number; weekly: number; monthly: number; yearly: number };

const GFS_KEYS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type GfsKey = (typeof GFS_KEYS)[number];
const EXPECTED =
  'count:N, age:DURATION (e.g. age:30d), or GFS buckets such as hourly:24,daily:7,weekly:4,monthly:6 (yearly too)';

/** `count:10`, `age:30d`, `hourly:24,daily:7,weekly:4,monthly:6`; empty means no retention. */
export function parseRetention(input: string, value: string): RetentionPolicy | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  const count = /^count:(\d+)$/.exec(v);
  if (count) {
    const keep = Number(count[1]);
    if (keep < 1)
      throw new InputError(input, value, 'count:N with N >= 1 (the newest snapshot is always kept)');
    return { kind: 'count', keep };
  }
  const age = /^age:(.+)$/.exec(v);
  if (age) {
    const ms = parseDuration(input, age[1]!, 0);
    if (ms <= 0) throw new InputError(input, value, EXPECTED);
    return { kind: 'age', maxAgeMs: ms };
  }
  const gfs: Record<GfsKey, number> = { hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  for (const part of v.split(',').map((p) => p.trim())) {
    const m = /^([a-z]+):(\d+)$/.exec(part);
    if (!m || !(GFS_KEYS as readonly string[]).includes(m[1]!)) throw new InputError(input, value, EXPECTED);
    gfs[m[1] as GfsKey] = Number(m[2]);
  }
  if (Object.values(gfs).every((n) => n === 0))
    throw new InputError(input, value, `${EXPECTED}, with at least one bucket above 0`);
  return { kind: 'gfs', ...gfs };
}

export function describeRetention(p: RetentionPolicy): string {
  if (p.kind === 'count') return `keep the ${p.keep} newest`;
  if (p.kind === 'age') return `keep those younger than ${Math.round(p.maxAgeMs / 3_600_000)}h`;
  return GFS_KEYS.filter((k) => p[k] > 0)
    .map((k) => `${p[k]} ${k}`)
    .join(', ');
}

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  pinned: boolean;
}

export interface RetentionDecision {
  keep: { id: string; reasons: string[] }[];
  delete: string[];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), UTC. */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export function bucketOf(kind: GfsKey, d: Date): string {
  const y = d.getUTCFullYear();
  const mo = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  switch (kind) {
    case 'hourly':
      return `${y}-${mo}-${day}T${pad(d.getUTCHours())}`;
    case 'daily':
      return `${y}-${mo}-${day}`;
    case 'weekly':
      return isoWeek(d);
    case 'monthly':
      return `${y}-${mo}`;
    case 'yearly':
      return String(y);
  }
}

/** Newest first; equal times by id descending, so the decision never depends on listing order. */
function newestFirst(a: RetentionCandidate, b: RetentionCandidate): number {
  const dt = b.createdAt.getTime() - a.createdAt.getTime();
  return dt !== 0 ? dt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Decides what to delete. Always kept: pinned snapshots (they do not use up a bucket or a count) and the
 * newest unpinned snapshot (so a policy can never empty a store whose backups stopped running).
 * GFS keeps the newest snapshot of each of the last N hours/days/ISO weeks/months/years that have one.
 */
export function selectForDeletion(
  candidates: RetentionCandidate[],
  policy: RetentionPolicy,
  now: Date,
): RetentionDecision {
  const sorted = [...candidates].sort(newestFirst);
  const reasons = new Map<string, string[]>();
  const keep = (id: string, why: string) => reasons.set(id, [...(reasons.get(id) ?? []), why]);
  const unpinned = sorted.filter((c) => !c.pinned);
  for (const c of sorted) if (c.pinned) keep(c.id, 'pinned');
  if (unpinned[0]) keep(unpinned[0].id, 'newest');

  if (policy.kind === 'count') {
    unpinned.slice(0, policy.keep).forEach((c, i) => keep(c.id, `count ${i + 1}/${policy.keep}`));
  } else if (policy.kind === 'age') {
    const cutoff = now.getTime() - policy.maxAgeMs;
    for (const c of unpinned) if (c.createdAt.getTime() >= cutoff) keep(c.id, 'younger than the age limit');
  } else {
    for (const kind of GFS_KEYS) {
      const limit = policy[kind];
      const seen = new Set<string>();
      for (const c of unpinned) {
        if (seen.size >= limit) break;
        const b = bucketOf(kind, c.createdAt);
        if (seen.has(b)) continue;
        seen.add(b);
        keep(c.id, `${kind} ${b}`);
      }
    }
  }
  return {
    keep: sorted.filter((c) => reasons.has(c.id)).map((c) => ({ id: c.id, reasons: reasons.get(c.id)! })),
    delete: sorted.filter((c) => !reasons.has(c.id)).map((c) => c.id),
  };
}
