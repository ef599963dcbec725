import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

export type Destination =
  | { scheme: 'file'; root: string }
  | { scheme: 's3'; bucket: string; prefix: string }
  | { scheme: 'sftp'; user: string; host: string; port: number; root: string }
  | { scheme: 'artifact'; name: string };

const EXPECTED =
  'a URI such as file:///var/backups/etcd, s3://bucket/prefix, sftp://user@host:22/path or artifact://name';

/** Parses a `destination` input. Relative and absolute plain paths are folders. */
export function parseDestination(input: string, value: string): Destination {
  if (value === '') throw new InputError(input, value, EXPECTED);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return { scheme: 'file', root: path.resolve(value) };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, value, EXPECTED);
  }
  if (url.password !== '') throw new InputError(input, '<redacted>', `${EXPECTED}, without a password in it`);
  switch (url.protocol) {
    case 'file:':
      return { scheme: 'file', root: fileURLToPath(url) };
    case 's3:': {
      if (url.hostname === '') throw new InputError(input, value, 's3://BUCKET/optional/prefix');
      return {
        scheme: 's3',
        bucket: url.hostname,
        prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
      };
    }
    case 'sftp:': {
      if (url.hostname === '' || url.username === '')
        throw new InputError(input, value, 'sftp://USER@HOST[:PORT]/path');
      return {
        scheme: 'sftp',
        user: decodeURIComponent(url.username),
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? 22 : Number(url.port),
        root: decodeURIComponent(url.pathname) || '/',
      };
    }
    case 'artifact:': {
      const name = (url.hostname + url.pathname).replace(/\/+$/, '');
      if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name))
        throw new InputError(input, value, 'artifact://NAME (letters, digits, . _ -)');
      return { scheme: 'artifact', name };
    }
    default:
      throw new InputError(input, value, EXPECTED);
  }
}

/** Splits an object URI into the destination that holds it and its key. */
export function parseObjectUri(input: string, value: string): { destination: Destination; key: string } {
  const d = parseDestination(input, value);
  switch (d.scheme) {
    case 'file':
      return { destination: { scheme: 'file', root: path.dirname(d.root) }, key: path.basename(d.root) };
    case 's3': {
      if (d.prefix === '') throw new InputError(input, value, 's3://BUCKET/KEY of an object');
      return { destination: { scheme: 's3', bucket: d.bucket, prefix: '' }, key: d.prefix };
    }
    case 'sftp':
      return { destination: { ...d, root: path.posix.dirname(d.root) }, key: path.posix.basename(d.root) };
    case 'artifact': {
      const [name, ...rest] = d.name.split('/');
      if (rest.length === 0) throw new InputError(input, value, 'artifact://NAME/FILE of an object');
      return { destination: { scheme: 'artifact', name: name! }, key: rest.join('/') };
    }
  }
}
