import { InputError } from '../errors.js';
import { initialCluster, parseMemberSpecs, resolveMembers } from './restore-members.js';

const recorded = [
  { name: 'cp1', id: '1', peerUrls: ['https://10.0.0.10:2380'], clientUrls: ['https://10.0.0.10:2379'] },
  { name: 'cp2', id: '2', peerUrls: ['https://10.0.0.11:2380'], clientUrls: ['https://10.0.0.11:2379'] },
];
const defaults = { dataDir: '/var/lib/etcd', sshPort: 22 };

describe('members input', () => {
  it('parses every part of an entry', () => {
    expect(parseMemberSpecs('members', 'cp1=https://10.0.0.10:2380@10.0.0.10:2222#/data/etcd')).toEqual([
      {
        name: 'cp1',
        peerUrl: 'https://10.0.0.10:2380',
        ssh: { host: '10.0.0.10', port: 2222 },
        dataDir: '/data/etcd',
      },
    ]);
  });

  it('takes partial entries, commas and newlines, IPv6 SSH hosts', () => {
    expect(
      parseMemberSpecs('members', 'cp1@[fd00::1]:22, cp2#/srv/etcd/\ncp3=http://cp3.internal:2380'),
    ).toEqual([
      { name: 'cp1', ssh: { host: 'fd00::1', port: 22 } },
      { name: 'cp2', dataDir: '/srv/etcd' },
      { name: 'cp3', peerUrl: 'http://cp3.internal:2380' },
    ]);
  });

  it.each([
    ['cp1=10.0.0.10:2380', 'peer URL'],
    ['cp1=https://10.0.0.10', 'peer URL'],
    ['cp1@host:99999', 'SSH host'],
    ['cp1@bad_host', 'SSH host'],
    ['cp1#relative/dir', 'absolute path'],
    ['cp1#/var/lib/etcd dir', 'absolute path'],
    ['cp1#/var/lib/$(rm -rf /)', 'absolute path'],
    ['cp1#/var/../etc', 'absolute path'],
    ['-cp1', 'NAME'],
    ['cp1,cp1', 'twice'],
  ])('refuses %s, naming the input and the entry', (value, expected) => {
    let err: unknown;
    try {
      parseMemberSpecs('members', value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^members: /);
    expect((err as Error).message).toContain(expected);
  });

  it('defaults to the manifest members, reached at their peer host', () => {
    const members = resolveMembers(undefined, recorded, defaults);
    expect(members.map((m) => [m.name, m.ssh.host, m.ssh.port, m.dataDir])).toEqual([
      ['cp1', '10.0.0.10', 22, '/var/lib/etcd'],
      ['cp2', '10.0.0.11', 22, '/var/lib/etcd'],
    ]);
    expect(initialCluster(members)).toBe('cp1=https://10.0.0.10:2380,cp2=https://10.0.0.11:2380');
  });

  it('completes input entries from the manifest and keeps only the members named', () => {
    const members = resolveMembers(
      parseMemberSpecs('members', 'cp2@bastion-cp2:2200#/srv/etcd'),
      recorded,
      defaults,
    );
    expect(members).toEqual([
      {
        name: 'cp2',
        peerUrls: ['https://10.0.0.11:2380'],
        clientUrls: ['https://10.0.0.11:2379'],
        ssh: { host: 'bastion-cp2', port: 2200 },
        dataDir: '/srv/etcd',
      },
    ]);
  });

  it('refuses a member that is neither recorded nor given a peer URL', () => {
    expect(() => resolveMembers(parseMemberSpecs('members', 'cp9'), recorded, defaults)).toThrow(
      /members: "cp9".*cp1, cp2/,
    );
  });

  it('refuses two members on the same host and data dir', () => {
    expect(() => resolveMembers(parseMemberSpecs('members', 'cp1@h, cp2@h'), recorded, defaults)).toThrow(
      /share host h:22 and data dir/,
    );
  });
});
