import { InputError } from '../errors.js';
import { parseChoice, parseInteger, type InputSource } from '../inputs.js';
import { parseKubeAccessSettings } from '../kube/access-settings.js';
import type { KubeAccessSettings } from '../kube/client.js';

/** `connect: port-forward`: etcd reached through the API server, for runners that cannot reach its port. */
export interface PortForwardSettings {
  kube: KubeAccessSettings;
  namespace: string;
  selector: string;
  port: number;
  scheme: 'https' | 'http';
  certSecret?: string;
}

export function parsePortForwardSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): PortForwardSettings {
  const namespace = inputs.get('etcd-namespace') || 'kube-system';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
    throw new InputError('etcd-namespace', namespace, 'a namespace name');
  const certSecret = inputs.get('etcd-cert-secret') || undefined;
  if (certSecret && !/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(certSecret))
    throw new InputError('etcd-cert-secret', certSecret, 'a Secret name');
  return {
    kube: parseKubeAccessSettings(inputs, secret),
    namespace,
    selector: inputs.get('etcd-selector') || 'component=etcd',
    port: parseInteger('etcd-port', inputs.get('etcd-port'), 2379, 1, 65535),
    scheme: parseChoice('etcd-scheme', inputs.get('etcd-scheme'), ['https', 'http'] as const, 'https'),
    certSecret,
  };
}
