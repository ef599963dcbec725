import { KubesafeError } from '../errors.js';
import type { Reporter } from '../report.js';
import type { Destination } from './destination.js';
import { FileStore } from './file.js';
import { S3_DEFAULTS, type StoreOptions } from './options.js';
import type { BackupStore } from './store.js';

export type { StoreOptions } from './options.js';

/**
 * Opens the backend for a destination. Remote backends load on demand (`await import()`), so a folder
 * store starts without parsing the AWS SDK or ssh2. Remote stores are probed once here, so a missing
 * bucket, bad credentials or an unknown host key fail before any snapshot is streamed.
 */
export async function openStore(
  destination: Destination,
  options: StoreOptions,
  reporter: Reporter,
): Promise<BackupStore> {
  switch (destination.scheme) {
    case 'file':
      return new FileStore(destination.root);
    case 's3': {
      const { S3Store } = await import('./s3.js');
      const s3 = options.s3 ?? S3_DEFAULTS;
      if (s3.insecureSkipVerify)
        reporter.warn(
          `s3-insecure-skip-verify is true: the TLS certificate of ${s3.endpoint ?? 'S3'} is not checked, so anyone on the path can read or alter snapshots`,
        );
      const store = new S3Store(destination.bucket, destination.prefix, s3);
      try {
        await store.probe();
      } catch (err) {
        await store.close();
        throw err;
      }
      return store;
    }
    case 'sftp': {
      const { SftpStore } = await import('./sftp.js');
      const sftp = options.sftp ?? { knownHosts: '', insecureAcceptHostKey: false, readyTimeoutMs: 20_000 };
      return SftpStore.open(destination, sftp, (m) => reporter.warn(m));
    }
    case 'artifact': {
      const { ArtifactStore } = await import('./artifact.js');
      const service = options.artifact?.service;
      if (!service)
        throw new KubesafeError(
          'artifact:// destinations need the workflow artifact service, which only exists inside GitHub Actions',
        );
      return new ArtifactStore(destination.name, await service(), options.artifact?.retentionDays);
    }
  }
}
