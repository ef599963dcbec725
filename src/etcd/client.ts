import { noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdConnectionSettings } from './settings.js';

/**
 * One client per endpoint: member choice and the snapshot must talk to exactly one member, and the
 * etcd3 pool would otherwise balance calls across hosts.
 */
export function connectMember(settings: EtcdConnectionSettings, endpoint: string, timeoutMs = 5000): Etcd3 {
  const options: IOptions = {
    hosts: [endpoint],
    dialTimeout: timeoutMs,
    // A 4 MiB flow-control window keeps the 32 KiB snapshot messages flowing without round trips.
    grpcOptions: {
      'grpc-node.flow_control_window': 4 * 1024 * 1024,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    },
    // Member probes must fail fast and report, not retry for minutes.
    faultHandling: { global: noop, host: () => noop },
    defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
  };
  if (endpoint.startsWith('https:')) {
    options.credentials = {
      // null: the system's trusted CAs.
      rootCertificate: settings.tls.ca ?? (null as unknown as Buffer),
      privateKey: settings.tls.key,
      certChain: settings.tls.cert,
    };
  }
  if (settings.auth)
    options.auth = { ...settings.auth, callOptions: () => ({ deadline: Date.now() + timeoutMs }) };
  return new Etcd3(options);
}
