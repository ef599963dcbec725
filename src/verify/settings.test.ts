import { inputsFrom } from '../inputs.js';
import { parseCommands, parseVerifySettings, parseWorkloads } from './settings.js';

describe('verify settings', () => {
  it('parses workloads with kinds and aliases', () => {
    expect(parseWorkloads('statefulset/db/pg, deploy/web/front\nds/kube-system/kube-proxy')).toEqual([
      { kind: 'statefulset', namespace: 'db', name: 'pg' },
      { kind: 'deployment', namespace: 'web', name: 'front' },
      { kind: 'daemonset', namespace: 'kube-system', name: 'kube-proxy' },
    ]);
  });
  it.each(['pg', 'statefulset/pg', 'job/db/x', 'statefulset/DB/pg', 'statefulset/db/pg/x'])(
    'refuses workload %s naming the input and the value',
    (v) => {
      expect(() => parseWorkloads(v)).toThrow(
        `workloads: ${JSON.stringify(v)} is not valid; expected KIND/NAMESPACE/NAME`,
      );
    },
  );
  it('reads one command per line, skipping blanks and comments', () => {
    expect(parseCommands('kubectl get ns\n\n# note\n  curl -fsS http://x/healthz && echo ok  ')).toEqual([
      'kubectl get ns',
      'curl -fsS http://x/healthz && echo ok',
    ]);
  });
  it('has defaults and refuses a bad duration or namespace', () => {
    const s = parseVerifySettings(inputsFrom({}));
    expect(s).toMatchObject({
      nodes: true,
      controlPlane: true,
      timeoutMs: 300_000,
      intervalMs: 10_000,
      failOnUnhealthy: true,
    });
    expect(() => parseVerifySettings(inputsFrom({ timeout: '5 minutes' }))).toThrow(
      'timeout: "5 minutes" is not valid',
    );
    expect(() => parseVerifySettings(inputsFrom({ interval: '10ms' }))).toThrow(
      'interval: "10ms" is not valid',
    );
    expect(() => parseVerifySettings(inputsFrom({ namespaces: 'ok,Bad_NS' }))).toThrow(
      'namespaces: "Bad_NS" is not valid',
    );
  });
});
