import { describe, expect, it } from '@jest/globals';
import { parseDestination, parseObjectUri } from './destination.js';

describe('parseDestination', () => {
  it.each([
    ['file:///var/backups', { scheme: 'file', root: '/var/backups' }],
    ['/var/backups', { scheme: 'file', root: '/var/backups' }],
    ['s3://bucket/a/b/', { scheme: 's3', bucket: 'bucket', prefix: 'a/b' }],
    ['s3://bucket', { scheme: 's3', bucket: 'bucket', prefix: '' }],
    [
      'sftp://backup@10.0.0.5:2222/srv/etcd',
      { scheme: 'sftp', user: 'backup', host: '10.0.0.5', port: 2222, root: '/srv/etcd' },
    ],
    ['sftp://backup@host/srv', { scheme: 'sftp', user: 'backup', host: 'host', port: 22, root: '/srv' }],
    ['artifact://etcd-snapshots', { scheme: 'artifact', name: 'etcd-snapshots' }],
  ])('%s', (uri, expected) => expect(parseDestination('destination', uri)).toEqual(expected));

  it.each([
    ['', /destination: empty value is not valid/],
    ['ftp://host/x', /destination: "ftp:\/\/host\/x" is not valid; expected a URI such as/],
    ['sftp://host/x', /expected sftp:\/\/USER@HOST/],
    ['s3:///prefix', /expected s3:\/\/BUCKET/],
  ])('refuses %j', (uri, message) => expect(() => parseDestination('destination', uri)).toThrow(message));

  it('never quotes a password given in the URI', () => {
    expect(() => parseDestination('destination', 'sftp://u:hunter2@host/x')).toThrow(/<redacted>/);
    expect(() => parseDestination('destination', 'sftp://u:hunter2@host/x')).not.toThrow(/hunter2/);
  });
});

describe('parseObjectUri', () => {
  it('splits object URIs into store and key', () => {
    expect(parseObjectUri('snapshot', 'file:///b/c/x.json')).toEqual({
      destination: { scheme: 'file', root: '/b/c' },
      key: 'x.json',
    });
    expect(parseObjectUri('snapshot', 's3://bk/p/c/x.json')).toEqual({
      destination: { scheme: 's3', bucket: 'bk', prefix: '' },
      key: 'p/c/x.json',
    });
  });
});
