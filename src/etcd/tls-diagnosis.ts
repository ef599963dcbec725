import tls from 'node:tls';
import type { EtcdConnectionSettings } from './settings.js';

/**
 * etcd (through gRPC) reports certificate problems as a deadline or a bare UNAVAILABLE. A plain TLS
 * handshake with the same material tells which side is wrong. Returns undefined when TLS is fine.
 */
export async function diagnoseTls(
  settings: EtcdConnectionSettings,
  endpoint: string,
  _err: unknown,
): Promise<string | undefined> {
  if (!endpoint.startsWith('https:')) return undefined;
  const url = new URL(endpoint);
  const outcome = await new Promise<{ error?: NodeJS.ErrnoException; alert?: string }>((resolve) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 2379),
      ca: settings.tls.ca,
      cert: settings.tls.cert,
      key: settings.tls.key,
      servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname,
      ALPNProtocols: ['h2'],
      timeout: 5000,
    });
    const finish = (r: { error?: NodeJS.ErrnoException }) => {
      socket.destroy();
      resolve(r);
    };
    // TLS 1.3 servers reject a client certificate after the handshake: read once to see it.
    socket.once('secureConnect', () => {
      socket.once('data', () => finish({}));
      setTimeout(() => finish({}), 500);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ error }));
    socket.once('timeout', () =>
      finish({ error: Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }) }),
    );
    socket.once('end', () =>
      finish({ error: Object.assign(new Error('closed by the server'), { code: 'ECLOSED' }) }),
    );
  });
  const e = outcome.error;
  if (!e) return undefined;
  const code = e.code ?? '';
  const msg = e.message;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return `TLS: the server certificate of ${endpoint} is not trusted by the given CA (${code}): check input "ca"`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS: the server certificate of ${endpoint} does not name ${url.hostname}: ${msg}`;
  }
  if (/certificate required|alert number 116/i.test(msg) || (!settings.tls.cert && code === 'ECLOSED')) {
    return `TLS: ${endpoint} requires a client certificate: set inputs "cert" and "key"`;
  }
  if (
    /bad certificate|unknown ca|alert number 4[28]|certificate unknown|decrypt error/i.test(msg) ||
    code === 'ECLOSED' ||
    code === 'ECONNRESET'
  ) {
    return `TLS: ${endpoint} refused the client certificate (not signed by a CA it trusts, or expired): check inputs "cert" and "key"`;
  }
  if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') return undefined;
  return `TLS handshake with ${endpoint} failed: ${msg}`;
}
