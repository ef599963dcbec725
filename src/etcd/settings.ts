import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseList, type InputSource } from '../inputs.js';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdConnectionSettings {
  endpoints: string[];
  tls: TlsMaterial;
  auth?: { username: string; password: string };
}

/** A PEM input holds the PEM text itself or the path of a file that does. */
export function readPem(input: string, value: string): Buffer | undefined {
  if (value === '') return undefined;
  let text = value;
  if (!value.includes('-----BEGIN')) {
    if (!existsSync(value)) {
      throw new InputError(
        input,
        value.length > 200 ? value.slice(0, 40) + '…' : value,
        'PEM content or the path of a readable PEM file',
      );
    }
    text = readFileSync(value, 'utf8');
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/.test(text)) {
    // Never quote the content: it may be a private key.
    throw new InputError(
      input,
      value.includes('-----BEGIN') ? '<PEM content>' : value,
      'a PEM block (-----BEGIN ...----- ... -----END ...-----)',
    );
  }
  return Buffer.from(text);
}

export function parseEndpoints(input: string, value: string): string[] {
  const list = parseList(value);
  if (list.length === 0)
    throw new InputError(input, value, 'one or more etcd client URLs such as https://10.0.0.10:2379');
  return list.map((e) => {
    let url: URL;
    try {
      url = new URL(e);
    } catch {
      throw new InputError(
        input,
        e,
        'an http:// or https:// URL with a host and port, such as https://10.0.0.10:2379',
      );
    }
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.hostname === '' ||
      url.username ||
      url.password
    ) {
      throw new InputError(
        input,
        e,
        'an http:// or https:// URL with a host and port, such as https://10.0.0.10:2379',
      );
    }
    return `${url.protocol}//${url.host}`;
  });
}

export function parseConnection(inputs: InputSource, secret: (v: string) => void): EtcdConnectionSettings {
  const key = inputs.get('key');
  const password = inputs.get('password');
  secret(key);
  secret(password);
  const endpoints = parseEndpoints('endpoints', inputs.get('endpoints'));
  const tls: TlsMaterial = {
    ca: readPem('ca', inputs.get('ca')),
    cert: readPem('cert', inputs.get('cert')),
    key: readPem('key', key),
  };
  if (tls.key) secret(tls.key.toString());
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new InputError(
      tls.cert ? 'key' : 'cert',
      '',
      `a value: cert and key come together (only ${tls.cert ? 'cert' : 'key'} was given)`,
    );
  }
  const username = inputs.get('username');
  if ((username === '') !== (password === '')) {
    throw new InputError(
      username ? 'password' : 'username',
      '',
      'a value: username and password come together',
    );
  }
  if (tls.ca && endpoints.some((e) => e.startsWith('http:'))) {
    throw new InputError('endpoints', endpoints.join(','), 'https:// URLs when a CA is given');
  }
  return { endpoints, tls, auth: username ? { username, password } : undefined };
}
