import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import {
  parseBool,
  parseChoice,
  parseDuration,
  parseInteger,
  parseList,
  type InputSource,
} from '../inputs.js';
import { COMPRESSIONS, type Compression } from './archive.js';
import { parseDestination, type Destination } from './destination.js';
import {
  isAgeIdentity,
  isAgeRecipient,
  parseIdentityFile,
  type DecryptionSettings,
  type EncryptionSettings,
} from './encryption.js';
import {
  S3_CHECKSUM_MODES,
  S3_DEFAULTS,
  type S3Options,
  type S3ServerSideEncryption,
  type SftpOptions,
  type StoreOptions,
} from './options.js';

/** Everything about where and how snapshots are stored, parsed once from the inputs. */
export interface StoreSettings {
  destination: Destination;
  options: StoreOptions;
  compression: Compression;
  encryption: EncryptionSettings;
  decryption: DecryptionSettings;
  verifyUpload: boolean;
  /** Lifetime of the presigned GET URL published after upload; undefined = none. */
  presignExpirySeconds?: number;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 1024,
  mib: 1048576,
  gib: 1073741824,
};

/** `16MiB`, `8MB`, `5242880`. */
export function parseSize(name: string, value: string, fallback: number, min: number, max: number): number {
  if (value === '') return fallback;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new InputError(
      name,
      value,
      `a size between ${min / 1048576} MiB and ${max / 1048576} MiB, such as 16MiB`,
    );
  }
  return n;
}

/** Text given inline or as the path of a file holding it. Never quotes a value that may be a key. */
function textOrFile(name: string, value: string, looksInline: (v: string) => boolean, what: string): string {
  if (value === '' || looksInline(value)) return value;
  if (!value.includes('\n') && existsSync(value)) return readFileSync(value, 'utf8');
  throw new InputError(
    name,
    value.length > 80 || /PRIVATE|SECRET/.test(value) ? '<redacted>' : value,
    `${what}, or the path of a file holding it`,
  );
}

export function parseEncryption(inputs: InputSource, secret: (v: string) => void): EncryptionSettings {
  const passphrase = inputs.get('encryption-key');
  const recipients = parseList(inputs.get('encryption-recipients'));
  if (passphrase !== '') secret(passphrase);
  if (passphrase !== '' && recipients.length > 0) {
    throw new InputError(
      'encryption-recipients',
      recipients.join(','),
      'empty when encryption-key is set (age encrypts to a passphrase or to recipients, not both)',
    );
  }
  if (passphrase !== '') {
    if (passphrase.length < 12)
      throw new InputError('encryption-key', '<redacted>', 'a passphrase of at least 12 characters');
    return { kind: 'passphrase', passphrase };
  }
  if (recipients.length > 0) {
    for (const r of recipients) {
      if (!isAgeRecipient(r))
        throw new InputError(
          'encryption-recipients',
          r,
          'age X25519 public keys (age1... , 62 characters), comma- or newline-separated',
        );
    }
    return { kind: 'recipients', recipients };
  }
  return { kind: 'none' };
}

export function parseDecryption(inputs: InputSource, secret: (v: string) => void): DecryptionSettings {
  const raw = inputs.get('decryption-identity');
  if (raw !== '') {
    secret(raw);
    const text = textOrFile(
      'decryption-identity',
      raw,
      (v) => v.includes('AGE-SECRET-KEY-'),
      'an age identity (AGE-SECRET-KEY-1...)',
    );
    const identities = parseIdentityFile(text);
    identities.forEach(secret);
    if (identities.length === 0 || !identities.every(isAgeIdentity)) {
      throw new InputError(
        'decryption-identity',
        '<redacted>',
        'age X25519 identities (AGE-SECRET-KEY-1...), one per line',
      );
    }
    return { kind: 'identities', identities };
  }
  const passphrase = inputs.get('encryption-key');
  if (passphrase !== '') {
    secret(passphrase);
    return { kind: 'passphrase', passphrase };
  }
  return { kind: 'none' };
}

function parseSse(inputs: InputSource): S3ServerSideEncryption {
  const kind = parseChoice('s3-sse', inputs.get('s3-sse'), ['none', 'AES256', 'aws:kms'] as const, 'none');
  const kmsKeyId = inputs.get('s3-kms-key-id');
  if (kmsKeyId !== '' && kind !== 'aws:kms')
    throw new InputError('s3-kms-key-id', kmsKeyId, 'empty unless s3-sse is aws:kms');
  if (kind === 'aws:kms') return { kind, kmsKeyId: kmsKeyId || undefined };
  return { kind };
}

export function parseS3Options(inputs: InputSource): S3Options {
  const endpoint = inputs.get('s3-endpoint') || undefined;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) {
      throw new InputError(
        's3-endpoint',
        url?.password ? '<redacted>' : endpoint,
        'an http:// or https:// URL without credentials, such as https://oss-cn-hangzhou.aliyuncs.com',
      );
    }
  }
  const region = inputs.get('s3-region') || undefined;
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region))
    throw new InputError('s3-region', region, 'a region name such as us-east-1 or cn-hangzhou');
  const caBundle =
    textOrFile(
      's3-ca-bundle',
      inputs.get('s3-ca-bundle'),
      (v) => v.includes('-----BEGIN'),
      'PEM certificates',
    ) || undefined;
  if (caBundle !== undefined && !caBundle.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InputError('s3-ca-bundle', '<file content>', 'PEM certificates (-----BEGIN CERTIFICATE-----)');
  }
  return {
    endpoint,
    region,
    // Custom endpoints rarely serve virtual-hosted buckets on loopback or private DNS: path style by default there.
    forcePathStyle: parseBool(
      's3-force-path-style',
      inputs.get('s3-force-path-style'),
      endpoint !== undefined && !/aliyuncs\.com/.test(endpoint),
    ),
    caBundle,
    insecureSkipVerify: parseBool('s3-insecure-skip-verify', inputs.get('s3-insecure-skip-verify'), false),
    checksums: parseChoice('s3-checksums', inputs.get('s3-checksums'), S3_CHECKSUM_MODES, 'auto'),
    partSizeBytes: parseSize(
      's3-part-size',
      inputs.get('s3-part-size'),
      S3_DEFAULTS.partSizeBytes,
      5 * 1048576,
      5 * 1073741824,
    ),
    concurrency: parseInteger('s3-concurrency', inputs.get('s3-concurrency'), S3_DEFAULTS.concurrency, 1, 32),
    sse: parseSse(inputs),
    maxAttempts: S3_DEFAULTS.maxAttempts,
  };
}

export function parseSftpOptions(inputs: InputSource, secret: (v: string) => void): SftpOptions {
  const rawKey = inputs.get('ssh-private-key');
  if (rawKey !== '') secret(rawKey);
  const privateKey =
    textOrFile('ssh-private-key', rawKey, (v) => v.includes('-----BEGIN'), 'an OpenSSH or PEM private key') ||
    undefined;
  if (privateKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new InputError(
      'ssh-private-key',
      '<redacted>',
      'the text of an OpenSSH or PEM private key file (such as ~/.ssh/id_ed25519), or its path',
    );
  }
  const knownHosts = textOrFile(
    'ssh-known-hosts',
    inputs.get('ssh-known-hosts'),
    (v) => /\s(ssh-|ecdsa-|sk-)/.test(v),
    'known_hosts lines',
  );
  return {
    privateKey,
    knownHosts,
    insecureAcceptHostKey: parseBool(
      'ssh-insecure-accept-host-key',
      inputs.get('ssh-insecure-accept-host-key'),
      false,
    ),
    readyTimeoutMs: 20_000,
  };
}

/** Only the options of the backend the destination names are parsed, so unrelated inputs cannot fail a run. */
export function parseStoreOptions(
  destination: Destination,
  inputs: InputSource,
  secret: (v: string) => void,
): StoreOptions {
  switch (destination.scheme) {
    case 's3':
      return { s3: parseS3Options(inputs) };
    case 'sftp': {
      const sftp = parseSftpOptions(inputs, secret);
      if (!sftp.privateKey)
        throw new InputError(
          'ssh-private-key',
          '',
          `a private key for ${destination.user}@${destination.host} (sftp:// destinations use key authentication)`,
        );
      if (sftp.knownHosts === '' && !sftp.insecureAcceptHostKey) {
        throw new InputError(
          'ssh-known-hosts',
          '',
          `the server's host key in known_hosts format ([${destination.host}]:${destination.port} ssh-ed25519 AAAA...), or ssh-insecure-accept-host-key: true`,
        );
      }
      return { sftp };
    }
    case 'artifact': {
      const days = inputs.get('artifact-retention-days');
      return {
        artifact: {
          retentionDays: days === '' ? undefined : parseInteger('artifact-retention-days', days, 0, 1, 90),
        },
      };
    }
    case 'file':
      return {};
  }
}

export function parseStoreSettings(
  inputs: InputSource,
  secret: (v: string) => void,
  destinationInput = 'destination',
): StoreSettings {
  const destination = parseDestination(destinationInput, inputs.get(destinationInput));
  const presign = inputs.get('presign-expiry');
  const presignMs = parseDuration('presign-expiry', presign, 0);
  if (presign !== '' && (presignMs < 1000 || presignMs > 7 * 86_400_000)) {
    throw new InputError(
      'presign-expiry',
      presign,
      'a duration between 1s and 7d (the SigV4 limit), or empty for no URL',
    );
  }
  if (presign !== '' && destination.scheme !== 's3') {
    throw new InputError(
      'presign-expiry',
      presign,
      `empty: presigned URLs exist for s3:// destinations only, not ${destination.scheme}://`,
    );
  }
  return {
    destination,
    options: parseStoreOptions(destination, inputs, secret),
    compression: parseChoice('compression', inputs.get('compression'), COMPRESSIONS, 'zstd'),
    encryption: parseEncryption(inputs, secret),
    decryption: parseDecryption(inputs, secret),
    verifyUpload: parseBool('verify-upload', inputs.get('verify-upload'), true),
    presignExpirySeconds: presign === '' ? undefined : Math.round(presignMs / 1000),
  };
}
