import { expiredSnapshots } from './prune.js';

describe('expiredSnapshots', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  it('selects only snapshots whose expiry has passed', () => {
    const snaps = [
      { namespace: 'a', name: 'old', expiresAt: '2025-06-01T11:59:59Z' },
      { namespace: 'a', name: 'exact', expiresAt: '2025-06-01T12:00:00Z' },
      { namespace: 'a', name: 'fresh', expiresAt: '2025-06-02T00:00:00Z' },
      { namespace: 'b', name: 'kept', expiresAt: 'never' },
      { namespace: 'b', name: 'in-flight' },
      { namespace: 'b', name: 'garbled', expiresAt: 'tomorrow' },
    ];
    expect(expiredSnapshots(snaps, now).map((s) => s.name)).toEqual(['old', 'exact']);
  });
});
