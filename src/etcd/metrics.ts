import https from 'node:https';
import http from 'node:http';
import type { EtcdConnectionSettings } from './settings.js';

/** The backend quota from the member's /metrics, or undefined when it cannot be read. */
export async function readQuotaBytes(
  settings: EtcdConnectionSettings,
  endpoint: string,
): Promise<number | undefined> {
  const url = new URL('/metrics', endpoint);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = mod.get(
      url,
      { ca: settings.tls.ca, cert: settings.tls.cert, key: settings.tls.key, timeout: 3000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          const m = /^etcd_server_quota_backend_bytes\s+([\d.e+]+)/m.exec(body);
          resolve(m ? Number(m[1]) : undefined);
        });
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}
