import { InputError } from './errors.js';

/** Where an operation reads its raw inputs: the Actions runtime or CLI flags. Values are '' when unset. */
export interface InputSource {
  get(name: string): string;
}

export function inputsFrom(values: Record<string, string | undefined>): InputSource {
  return { get: (name) => (values[name] ?? '').trim() };
}

export function requireInput(src: InputSource, name: string): string {
  const value = src.get(name);
  if (value === '') throw new InputError(name, value, 'a value (this input is required)');
  return value;
}

export function parseBool(name: string, value: string, fallback = false): boolean {
  if (value === '') return fallback;
  const v = value.toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InputError(name, value, 'true or false');
}

export function parseChoice<T extends string>(
  name: string,
  value: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === '') return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(name, value, `one of ${choices.join(', ')}`);
}

export function parseInteger(
  name: string,
  value: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new InputError(name, value, `a whole number between ${min} and ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new InputError(name, value, `a whole number between ${min} and ${max}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `90s`, `5m`, `1h30m`, `7d` into milliseconds. */
export function parseDuration(name: string, value: string, fallbackMs: number): number {
  if (value === '') return fallbackMs;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== value.length || consumed === 0) {
    throw new InputError(name, value, 'a duration such as 90s, 5m, 1h30m or 7d');
  }
  return total;
}

export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `a=b,c=d` or one per line. */
export function parseKeyValues(name: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of parseList(value)) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      if (/^[\w.-]+$/.test(item)) {
        out[item] = 'true';
        continue;
      }
      throw new InputError(name, item, 'key=value pairs or plain labels, comma-separated');
    }
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}
