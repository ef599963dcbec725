import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export interface InputMeta {
  description: string;
  required?: boolean;
  default?: string;
}

export interface ActionMeta {
  name: string;
  description: string;
  inputs: Record<string, InputMeta>;
  outputs: Record<string, { description: string }>;
}

/** The repository (or installed package) root: the folder that holds `actions/`. */
export function projectRoot(from = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, 'actions')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the actions/ folder above ${from}`);
    dir = up;
  }
}

/** Reads `actions/<name>/action.yml`: the one place where inputs, defaults and outputs are declared. */
export function loadActionMeta(name: string, root = projectRoot()): ActionMeta {
  const raw = parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as {
    name: string;
    description: string;
    inputs?: Record<string, { description: string; required?: boolean; default?: unknown }>;
    outputs?: Record<string, { description: string }>;
  };
  const inputs: Record<string, InputMeta> = {};
  for (const [k, v] of Object.entries(raw.inputs ?? {})) {
    inputs[k] = {
      description: v.description,
      required: v.required,
      default: v.default === undefined ? undefined : String(v.default),
    };
  }
  return { name: raw.name, description: raw.description, inputs, outputs: raw.outputs ?? {} };
}

export function isBooleanInput(meta: InputMeta): boolean {
  return meta.default === 'true' || meta.default === 'false';
}
