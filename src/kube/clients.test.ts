import { tlsIdentityKey } from './clients.js';

describe('tlsIdentityKey', () => {
  const base = { ca: 'CA', cert: 'CERT', key: 'KEY' };

  it('is the same for the same TLS identity, whether given as strings or buffers', () => {
    expect(tlsIdentityKey(base)).toBe(tlsIdentityKey({ ...base }));
    expect(
      tlsIdentityKey({ ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY') }),
    ).toBe(tlsIdentityKey(base));
  });

  it('changes with the client certificate or key (an exec plugin rotating them gets a new connection)', () => {
    expect(tlsIdentityKey({ ...base, cert: 'CERT2' })).not.toBe(tlsIdentityKey(base));
    expect(tlsIdentityKey({ ...base, key: 'KEY2' })).not.toBe(tlsIdentityKey(base));
  });

  it('changes with the trusted CA, the server name and the verification setting', () => {
    expect(tlsIdentityKey({ ...base, ca: 'CA2' })).not.toBe(tlsIdentityKey(base));
    expect(tlsIdentityKey({ ...base, servername: 'api' })).not.toBe(tlsIdentityKey(base));
    expect(tlsIdentityKey({ ...base, rejectUnauthorized: false })).not.toBe(tlsIdentityKey(base));
  });

  it('does not confuse values moved between fields', () => {
    expect(tlsIdentityKey({ cert: 'A', key: 'B' })).not.toBe(tlsIdentityKey({ cert: 'AB' }));
    expect(tlsIdentityKey({ cert: 'A' })).not.toBe(tlsIdentityKey({ key: 'A' }));
  });
});
