import {
  bucketOf,
  isoWeek,
  parseRetention,
  selectForDeletion,
  type RetentionCandidate,
  type RetentionPolicy,
} from './retention.js';

const at = (iso: string, id = iso, pinned = false): RetentionCandidate => ({
  id,
  createdAt: new Date(iso),
  pinned,
});
const NOW = new Date('2026-03-31T23:59:00Z');
const kept = (c: RetentionCandidate[], p: RetentionPolicy, now = NOW) =>
  selectForDeletion(c, p, now).keep.map((k) => k.id);
const deleted = (c: RetentionCandidate[], p: RetentionPolicy, now = NOW) =>
  selectForDeletion(c, p, now).delete;
const gfs = (
  o: Partial<Record<'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', number>>,
): RetentionPolicy => ({ kind: 'gfs', hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, ...o });

describe('parseRetention', () => {
  it.each([
    ['count:5', { kind: 'count', keep: 5 }],
    ['age:30d', { kind: 'age', maxAgeMs: 30 * 86_400_000 }],
    ['age:12h', { kind: 'age', maxAgeMs: 12 * 3_600_000 }],
    ['hourly:24,daily:7,weekly:4,monthly:6', gfs({ hourly: 24, daily: 7, weekly: 4, monthly: 6 })],
    ['daily:7, yearly:3', gfs({ daily: 7, yearly: 3 })],
  ])('parses %s', (v, want) => expect(parseRetention('retention', v)).toEqual(want));
  it('is undefined when empty', () => expect(parseRetention('retention', '')).toBeUndefined());
  it.each([
    'count:0',
    'count:x',
    'age:',
    'age:30',
    'daily:7,fortnightly:2',
    'hourly:0,daily:0',
    'keep-all',
    'daily=7',
  ])('refuses %s naming the input', (v) =>
    expect(() => parseRetention('retention', v)).toThrow(/^retention: /),
  );
});

describe('calendar buckets (UTC)', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-W01'], // a Thursday
    ['2027-01-01T00:00:00Z', '2026-W53'], // a Friday: belongs to the previous ISO year
    ['2024-12-30T00:00:00Z', '2025-W01'], // a Monday in the next ISO year
    ['2026-03-29T23:59:59Z', '2026-W13'], // Sunday ends the week
    ['2026-03-30T00:00:00Z', '2026-W14'], // Monday starts the next
  ])('ISO week of %s is %s', (d, w) => expect(isoWeek(new Date(d))).toBe(w));
  it('puts month ends and leap days in their own month and day', () => {
    expect(bucketOf('monthly', new Date('2024-02-29T23:59:59Z'))).toBe('2024-02');
    expect(bucketOf('monthly', new Date('2024-03-01T00:00:00Z'))).toBe('2024-03');
    expect(bucketOf('daily', new Date('2026-01-31T23:59:59.999Z'))).toBe('2026-01-31');
    expect(bucketOf('hourly', new Date('2026-01-31T23:00:00Z'))).toBe('2026-01-31T23');
    expect(bucketOf('yearly', new Date('2026-12-31T23:59:59Z'))).toBe('2026');
  });
});

describe('selectForDeletion', () => {
  const daily = [
    '2026-03-25',
    '2026-03-26',
    '2026-03-27',
    '2026-03-28',
    '2026-03-29',
    '2026-03-30',
    '2026-03-31',
  ].map((d) => at(`${d}T02:00:00Z`, d));

  it('count keeps the N newest whatever order they are listed in', () => {
    expect(kept([...daily].reverse(), { kind: 'count', keep: 3 })).toEqual([
      '2026-03-31',
      '2026-03-30',
      '2026-03-29',
    ]);
    expect(deleted(daily, { kind: 'count', keep: 3 })).toEqual([
      '2026-03-28',
      '2026-03-27',
      '2026-03-26',
      '2026-03-25',
    ]);
  });

  it('count larger than the number of snapshots deletes nothing', () =>
    expect(deleted(daily, { kind: 'count', keep: 50 })).toEqual([]));

  it('pinned snapshots are kept and do not use up the count', () => {
    const c = daily.map((s) => (s.id === '2026-03-25' || s.id === '2026-03-31' ? { ...s, pinned: true } : s));
    expect(kept(c, { kind: 'count', keep: 2 })).toEqual([
      '2026-03-31',
      '2026-03-30',
      '2026-03-29',
      '2026-03-25',
    ]);
  });

  it('age deletes what is older than the limit, with the boundary kept', () => {
    const p: RetentionPolicy = { kind: 'age', maxAgeMs: 3 * 86_400_000 };
    const now = new Date('2026-03-31T02:00:00Z');
    expect(kept(daily, p, now)).toEqual(['2026-03-31', '2026-03-30', '2026-03-29', '2026-03-28']);
  });

  it('never deletes the newest snapshot, even when every one is too old', () => {
    const old = [at('2025-01-01T00:00:00Z', 'a'), at('2025-01-02T00:00:00Z', 'b')];
    expect(selectForDeletion(old, { kind: 'age', maxAgeMs: 86_400_000 }, NOW)).toEqual({
      keep: [{ id: 'b', reasons: ['newest'] }],
      delete: ['a'],
    });
  });

  it('the newest unpinned one stays even when a newer one is pinned', () => {
    const c = [at('2026-03-30T00:00:00Z', 'old'), at('2026-03-31T00:00:00Z', 'pin', true)];
    expect(kept(c, { kind: 'age', maxAgeMs: 1000 })).toEqual(['pin', 'old']);
  });

  it('GFS daily keeps the newest of each of the last N days', () => {
    const c = [
      at('2026-03-31T10:00:00Z', 'd31-late'),
      at('2026-03-31T01:00:00Z', 'd31-early'),
      at('2026-03-30T23:59:59Z', 'd30'),
      at('2026-03-28T00:00:00Z', 'd28'),
      at('2026-03-27T00:00:00Z', 'd27'),
    ];
    // Days without a snapshot do not count: the last 3 days *that have one* are 31, 30, 28.
    expect(kept(c, gfs({ daily: 3 }))).toEqual(['d31-late', 'd30', 'd28']);
  });

  it('GFS hourly splits at the hour boundary', () => {
    const c = [
      at('2026-03-31T10:59:59.999Z', 'h10b'),
      at('2026-03-31T10:00:00Z', 'h10a'),
      at('2026-03-31T09:59:59Z', 'h09'),
    ];
    expect(kept(c, gfs({ hourly: 2 }))).toEqual(['h10b', 'h09']);
  });

  it('GFS weekly follows ISO weeks across a year end', () => {
    const c = [
      at('2027-01-03T12:00:00Z', 'sun-w53'),
      at('2026-12-28T12:00:00Z', 'mon-w53'),
      at('2026-12-27T12:00:00Z', 'sun-w52'),
    ];
    expect(kept(c, gfs({ weekly: 2 }))).toEqual(['sun-w53', 'sun-w52']);
  });

  it('GFS monthly keeps the last snapshot of each month, month ends included', () => {
    const c = [
      at('2026-03-01T00:00:00Z', 'mar1'),
      at('2026-02-28T23:59:59Z', 'feb28'),
      at('2026-02-01T00:00:00Z', 'feb1'),
      at('2026-01-31T23:59:59Z', 'jan31'),
      at('2025-12-31T23:00:00Z', 'dec31'),
    ];
    expect(kept(c, gfs({ monthly: 3 }))).toEqual(['mar1', 'feb28', 'jan31']);
  });

  it('GFS buckets combine: a snapshot kept by several rules is listed once with every reason', () => {
    const c = [
      at('2026-03-31T10:00:00Z', 'a'),
      at('2026-03-30T10:00:00Z', 'b'),
      at('2026-02-15T10:00:00Z', 'c'),
      at('2026-02-10T10:00:00Z', 'd'),
    ];
    const r = selectForDeletion(c, gfs({ daily: 2, monthly: 2 }), NOW);
    expect(r.keep).toEqual([
      { id: 'a', reasons: ['newest', 'daily 2026-03-31', 'monthly 2026-03'] },
      { id: 'b', reasons: ['daily 2026-03-30'] },
      { id: 'c', reasons: ['monthly 2026-02'] },
    ]);
    expect(r.delete).toEqual(['d']);
  });

  it('equal timestamps: the decision does not depend on listing order', () => {
    const c = [
      at('2026-03-31T00:00:00Z', 'x'),
      at('2026-03-31T00:00:00Z', 'y'),
      at('2026-03-31T00:00:00Z', 'z'),
    ];
    const a = selectForDeletion(c, gfs({ daily: 1 }), NOW);
    const b = selectForDeletion([...c].reverse(), gfs({ daily: 1 }), NOW);
    expect(a).toEqual(b);
    expect(a.keep.map((k) => k.id)).toEqual(['z']);
    expect(a.delete).toEqual(['y', 'x']);
  });

  it('pinned snapshots do not take a GFS bucket', () => {
    const c = [
      at('2026-03-31T10:00:00Z', 'pinned-today', true),
      at('2026-03-31T09:00:00Z', 'today'),
      at('2026-03-30T09:00:00Z', 'yesterday'),
    ];
    expect(kept(c, gfs({ daily: 1 }))).toEqual(['pinned-today', 'today']);
  });

  it('an empty store has nothing to delete', () =>
    expect(selectForDeletion([], { kind: 'count', keep: 1 }, NOW)).toEqual({ keep: [], delete: [] }));

  it('many snapshots: 240 hourly ones under hourly:24,daily:7,weekly:4,monthly:6', () => {
    const c: RetentionCandidate[] = [];
    for (let h = 0; h < 240; h++)
      c.push(at(new Date(Date.UTC(2026, 2, 31, 23) - h * 3_600_000).toISOString()));
    const r = selectForDeletion(c, gfs({ hourly: 24, daily: 7, weekly: 4, monthly: 6 }), NOW);
    // 24 hours of 03-31; the 23:00 of 03-25..03-30 for daily; weekly adds only the newest of ISO week 12 (03-22);
    // there are only 3 weeks and 1 month, so those rules keep what the others already keep.
    const extra = [
      '2026-03-30',
      '2026-03-29',
      '2026-03-28',
      '2026-03-27',
      '2026-03-26',
      '2026-03-25',
      '2026-03-22',
    ].map((d) => `${d}T23:00:00.000Z`);
    const hours = c.slice(0, 24).map((x) => x.id);
    expect(r.keep.map((k) => k.id)).toEqual([...hours, ...extra]);
    expect(r.delete.length).toBe(240 - 31);
  });
});
