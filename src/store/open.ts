import { KubesafeError } from '../errors.js';
import type { Reporter } from '../report.js';
import type { Destination } from './destination.js';
import { FileStore } from './file.js';
import type { BackupStore } from './store.js';

/** Backend settings beyond the URI; each backend reads its own part. Filled by the storage inputs. */
export interface StoreOptions {
  [backend: string]: unknown;
}

/** Opens the backend for a destination. Remote backends load on demand, so a folder store starts fast. */
export async function openStore(
  destination: Destination,
  _options: StoreOptions,
  _reporter: Reporter,
): Promise<BackupStore> {
  switch (destination.scheme) {
    case 'file':
      return new FileStore(destination.root);
    default:
      throw new KubesafeError(`destination scheme ${destination.scheme}:// is not supported yet`);
  }
}
