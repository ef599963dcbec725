/**
 * Where zone-migrate meets the precheck (#5, branch `precheck`). Until that branch is merged this
 * parses the shared inputs minimally and has no precheck; on merge, `parseSharedSettings` becomes
 * `parsePrecheckSettings` (settings.ts) and `defaultPrecheck` wraps `runPrecheck` (precheck.ts).
 */
import { PreconditionFailed } from '../errors.js';
import { parseChoice, parseList, requireInput, type InputSource } from '../inputs.js';
import type { k8s } from '../kube/client.js';
import type { Precheck } from './execute.js';
import type { PrecheckSettings } from './types.js';

export function parseSharedSettings(inputs: InputSource): PrecheckSettings {
  return {
    workload: {
      namespace: requireInput(inputs, 'namespace'),
      name: requireInput(inputs, 'statefulset'),
      kind: parseChoice('workload-kind', inputs.get('workload-kind'), ['kube', 'kruise'] as const, 'kube'),
    },
    targetZones: parseList(requireInput(inputs, 'target-zones')),
    zoneKey: inputs.get('zone-key'),
    snapshotClass: inputs.get('snapshot-class'),
    allowControllers: parseList(inputs.get('allow-controllers')),
  };
}

export function defaultPrecheck(_kc: k8s.KubeConfig): Precheck {
  return async () => {
    throw new PreconditionFailed(
      'the precheck is not part of this build (merge branch precheck); nothing was changed',
    );
  };
}
