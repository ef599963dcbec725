/** Which migration snapshots have expired: pure over their kubesafe.dev/expires-at annotations. */
export interface SnapshotExpiry {
  namespace: string;
  name: string;
  /** ISO time, `never`, or undefined (not finalized yet: never pruned). */
  expiresAt?: string;
}

export function expiredSnapshots(snapshots: SnapshotExpiry[], now: Date): SnapshotExpiry[] {
  return snapshots.filter((s) => {
    if (!s.expiresAt || s.expiresAt === 'never') return false;
    const t = Date.parse(s.expiresAt);
    return Number.isFinite(t) && t <= now.getTime();
  });
}
