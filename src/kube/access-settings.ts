import { InputError } from '../errors.js';
import type { InputSource } from '../inputs.js';
import type { KubeAccessSettings } from './client.js';

/** `kubeconfig` and `context` inputs; inline kubeconfig content is masked before anything can log it. */
export function parseKubeAccessSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): KubeAccessSettings {
  const kubeconfig = inputs.get('kubeconfig');
  if (kubeconfig.includes('\n')) {
    secret(kubeconfig);
    for (const line of kubeconfig.split('\n')) {
      const m = /^\s*(client-key-data|client-certificate-data|token|password)\s*:\s*(\S+)/.exec(line);
      if (m) secret(m[2]!);
    }
  }
  const context = inputs.get('context');
  if (context.includes('\n')) throw new InputError('context', context, 'one context name');
  return { kubeconfig, context };
}
