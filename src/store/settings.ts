import { parseChoice, type InputSource } from '../inputs.js';
import { COMPRESSIONS, type Compression } from './archive.js';
import { parseDestination, type Destination } from './destination.js';
import type { DecryptionSettings, EncryptionSettings } from './encryption.js';
import type { StoreOptions } from './open.js';

/** Everything about where and how snapshots are stored, parsed once from the inputs. */
export interface StoreSettings {
  destination: Destination;
  options: StoreOptions;
  compression: Compression;
  encryption: EncryptionSettings;
  decryption: DecryptionSettings;
  verifyUpload: boolean;
}

export function parseStoreSettings(inputs: InputSource, secret: (v: string) => void, destinationInput = 'destination'): StoreSettings {
  void secret;
  return {
    destination: parseDestination(destinationInput, inputs.get(destinationInput)),
    options: {},
    compression: parseChoice('compression', inputs.get('compression'), COMPRESSIONS, 'zstd'),
    encryption: { kind: 'none' },
    decryption: { kind: 'none' },
    verifyUpload: true,
  };
}
