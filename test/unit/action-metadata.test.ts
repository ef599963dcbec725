import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../src/actions-meta.js';
import { OPERATIONS } from '../../src/operations.js';

const root = projectRoot();
const actions = readdirSync(path.join(root, 'actions')).filter((n) =>
  existsSync(path.join(root, 'actions', n, 'action.yml')),
);

interface ActionYaml {
  name?: string;
  description?: string;
  branding?: { icon?: string; color?: string };
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string };
}

describe.each(actions)('actions/%s/action.yml', (name) => {
  const meta = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;
  it('has a description and branding', () => {
    expect(meta.description?.trim()).toBeTruthy();
    expect(meta.branding?.icon).toBeTruthy();
    expect(meta.branding?.color).toBeTruthy();
  });
  it('describes every input, with a default unless it is required', () => {
    for (const [input, m] of Object.entries(meta.inputs ?? {})) {
      expect([input, m.description?.trim() ? 'described' : 'no description']).toEqual([input, 'described']);
      if (m.required !== true)
        expect([input, m.default === undefined ? 'no default' : 'default']).toEqual([input, 'default']);
    }
  });
  it('describes every output', () => {
    for (const [output, m] of Object.entries(meta.outputs ?? {}))
      expect([output, m.description?.trim() ? 'described' : 'no description']).toEqual([output, 'described']);
  });
  it('runs its bundle on node24 and is a registered operation', () => {
    expect([meta.runs?.using, meta.runs?.main]).toEqual(['node24', `../../dist/${name}/index.js`]);
    expect(Object.keys(OPERATIONS)).toContain(name);
  });
});
