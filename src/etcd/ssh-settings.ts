import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { requireInput, type InputSource } from '../inputs.js';
import { readPem } from './settings.js';
import { parseKnownHosts, type SshCredentials } from './ssh.js';

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
