/** Where zone-migrate meets the precheck (#5): the shared inputs and the real read-only precheck. */
import type { InputSource } from '../inputs.js';
import { createKubeAccess } from '../kube/access.js';
import type { k8s } from '../kube/client.js';
import type { Precheck } from './execute.js';
import { runPrecheck } from './precheck.js';
import { parsePrecheckSettings } from './settings.js';
import type { PrecheckSettings } from './types.js';

export function parseSharedSettings(inputs: InputSource): PrecheckSettings {
  return parsePrecheckSettings(inputs);
}

export function defaultPrecheck(kc: k8s.KubeConfig): Precheck {
  const access = createKubeAccess(kc);
  return (settings) => runPrecheck(access, settings);
}
