import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseList, requireInput, type InputSource } from '../inputs.js';
import { readPem } from './settings.js';
import { parseKnownHosts } from '../ssh/known-hosts.js';
import type { SshCredentials } from './ssh.js';

/** A text input that may also be the path of a file holding the text. */
export function textOrFile(value: string): string {
  return value !== '' && !/\s/.test(value) && existsSync(value) ? readFileSync(value, 'utf8') : value;
}

export interface SshSettings {
  user: string;
  credentials: SshCredentials;
}

export function parseSshSettings(inputs: InputSource, secret: (v: string) => void): SshSettings {
  const keyText = requireInput(inputs, 'ssh-private-key');
  secret(keyText);
  const key = readPem('ssh-private-key', keyText)!.toString();
  secret(key);
  const passphrase = inputs.get('ssh-passphrase');
  secret(passphrase);
  const user = inputs.get('ssh-user') || 'root';
  if (!/^[a-z_][\w.-]*$/i.test(user))
    throw new InputError('ssh-user', user, 'a user name (letters, digits, ".", "_", "-")');
  const knownHosts = parseKnownHosts('ssh-known-hosts', textOrFile(requireInput(inputs, 'ssh-known-hosts')));
  return { user, credentials: { privateKey: key, passphrase: passphrase || undefined, knownHosts } };
}

/** Control-plane hosts reached over SSH (quiesce, companion files). */
export interface ControlPlaneAccess {
  hosts: { host: string; port: number }[];
  ssh: SshSettings;
}

export function parseControlPlane(inputs: InputSource, secret: (v: string) => void): ControlPlaneAccess {
  return {
    hosts: parseHostList('control-plane-hosts', inputs.get('control-plane-hosts'), 22),
    ssh: parseSshSettings(inputs, secret),
  };
}

export function parseHostList(
  input: string,
  value: string,
  defaultPort: number,
): { host: string; port: number }[] {
  const hosts = parseList(value).map((item) => {
    const m = /^(\[[0-9a-f:]+\]|[\w.-]+)(?::(\d+))?$/i.exec(item);
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
      throw new InputError(
        input,
        item,
        'host names or addresses, each with an optional :port, comma-separated',
      );
    }
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : defaultPort };
  });
  if (hosts.length === 0) throw new InputError(input, value, 'one or more control-plane hosts (host[:port])');
  return hosts;
}
