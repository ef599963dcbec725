import net from 'node:net';
import { PassThrough } from 'node:stream';
import { PreconditionFailed } from '../errors.js';
import { PERMISSIONS } from '../migration/permissions.js';
import { describeApiError, k8s } from './client.js';

export interface PodForward {
  pod: string;
  localPort: number;
  close(): Promise<void>;
}

/**
 * A local TCP port on 127.0.0.1 whose every connection is forwarded to `pod:port` through the API server
 * (`pods/portforward`), as `kubectl port-forward` does. One WebSocket per TCP connection.
 */
export async function forwardPodPort(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  port: number,
): Promise<PodForward> {
  const pf = new k8s.PortForward(kc, true);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const errors = new PassThrough();
    errors.on('data', () => socket.destroy());
    pf.portForward(namespace, pod, [port], socket, errors, socket).then(
      (ws) => {
        const w = typeof ws === 'function' ? ws() : ws;
        socket.on('close', () => w?.close());
      },
      () => socket.destroy(),
    );
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    pod,
    localPort: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Asks the API server whether the caller may do what the port-forward mode needs, before trying it. */
export async function checkPortForwardAccess(
  kc: k8s.KubeConfig,
  namespace: string,
  secretName?: string,
): Promise<void> {
  const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  const needed = PERMISSIONS['etcd-snapshot-port-forward']
    .filter((p) => !p.onlyFor || secretName)
    .flatMap((p) =>
      p.verbs.map((verb) => ({
        verb,
        resource: p.resource,
        subresource: p.subresource,
        name: p.resource === 'secrets' ? secretName : undefined,
      })),
    );
  const missing: string[] = [];
  for (const n of needed) {
    let allowed = false;
    try {
      const review = await authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace, ...n } },
        },
      });
      allowed = review.status?.allowed === true;
    } catch (err) {
      throw new PreconditionFailed(
        `connect: port-forward: cannot check permissions: ${describeApiError(err)}`,
      );
    }
    if (!allowed)
      missing.push(
        `${n.verb} ${n.resource}${n.subresource ? '/' + n.subresource : ''}${n.name ? ' ' + n.name : ''}`,
      );
  }
  if (missing.length > 0) {
    throw new PreconditionFailed(
      `connect: port-forward needs permissions the caller lacks in namespace ${namespace}: ${missing.join(', ')} (deploy/rbac/etcd-snapshot-port-forward.yaml grants them)`,
    );
  }
}
