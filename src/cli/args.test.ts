import { describe, expect, it } from '@jest/globals';
import type { ActionMeta } from '../actions-meta.js';
import { parseArgs, resolveInputs } from './args.js';

const meta: ActionMeta = {
  name: 'x',
  description: 'x',
  inputs: {
    endpoints: { description: 'e', required: true },
    'dry-run': { description: 'd', default: 'false' },
    member: { description: 'm', default: 'leader' },
  },
  outputs: {},
};

describe('CLI flags', () => {
  it('reads --name value, --name=value and bare boolean flags', () => {
    expect(parseArgs(['list', '--endpoints', 'http://a', '--dry-run', '--member=m2'], meta)).toEqual({
      positionals: ['list'],
      flags: { endpoints: 'http://a', 'dry-run': 'true', member: 'm2' },
      help: false,
    });
    expect(parseArgs(['--dry-run', 'false'], meta).flags['dry-run']).toBe('false');
  });

  it('refuses an unknown flag and lists the valid ones', () => {
    expect(() => parseArgs(['--endpoint', 'x'], meta)).toThrow(
      '--endpoint: "--endpoint" is not valid; expected one of the flags --endpoints, --dry-run, --member',
    );
  });

  it('takes a flag first, then KUBESAFE_ variables, then the default', () => {
    expect(
      resolveInputs(
        meta,
        { endpoints: 'http://flag' },
        { KUBESAFE_ENDPOINTS: 'http://env', KUBESAFE_DRY_RUN: 'true' },
      ),
    ).toEqual({
      endpoints: 'http://flag',
      'dry-run': 'true',
      member: 'leader',
    });
  });
});
