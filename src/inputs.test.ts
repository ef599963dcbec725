import { describe, expect, it } from '@jest/globals';
import { parseBool, parseChoice, parseDuration, parseInteger, parseKeyValues, parseList } from './inputs.js';

describe('input parsers', () => {
  it('parses durations and names the input on bad ones', () => {
    expect(parseDuration('timeout', '90s', 0)).toBe(90_000);
    expect(parseDuration('timeout', '1h30m', 0)).toBe(5_400_000);
    expect(parseDuration('timeout', '7d', 0)).toBe(604_800_000);
    expect(parseDuration('timeout', '', 42)).toBe(42);
    expect(() => parseDuration('timeout', '10 minutes', 0)).toThrow(
      'timeout: "10 minutes" is not valid; expected a duration such as 90s, 5m, 1h30m or 7d',
    );
    expect(() => parseDuration('timeout', '5', 0)).toThrow(/timeout: "5"/);
  });

  it('parses booleans, choices and integers', () => {
    expect(parseBool('dry-run', 'TRUE')).toBe(true);
    expect(parseBool('dry-run', '', true)).toBe(true);
    expect(() => parseBool('dry-run', 'maybe')).toThrow(
      'dry-run: "maybe" is not valid; expected true or false',
    );
    expect(parseChoice('verify', 'restore', ['hash', 'restore'] as const, 'hash')).toBe('restore');
    expect(() => parseChoice('verify', 'sha1', ['hash', 'restore'] as const, 'hash')).toThrow(
      'verify: "sha1" is not valid; expected one of hash, restore',
    );
    expect(parseInteger('n', '3', 1, 1, 5)).toBe(3);
    expect(() => parseInteger('n', '9', 1, 1, 5)).toThrow(/between 1 and 5/);
  });

  it('parses lists and labels', () => {
    expect(parseList('a, b,\nc,,')).toEqual(['a', 'b', 'c']);
    expect(parseKeyValues('labels', 'pre-change, ticket=OPS-1')).toEqual({
      'pre-change': 'true',
      ticket: 'OPS-1',
    });
    expect(() => parseKeyValues('labels', 'a b')).toThrow(/labels: "a b"/);
  });
});
