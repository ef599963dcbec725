/** The precheck: read the cluster once, run every check, plan. Read-only (only SelfSubjectAccessReviews are created). */
import type { KubeAccess } from '../kube/access.js';
import { readClusterSnapshot } from '../kube/read.js';
import { evaluatePrecheck } from './checks.js';
import type { PrecheckResult, PrecheckSettings } from './types.js';

/** Never throws for a failed check: the verdict and `failures` say what is wrong. Throws only when the API server cannot be reached at all. */
export async function runPrecheck(access: KubeAccess, settings: PrecheckSettings): Promise<PrecheckResult> {
  const view = await readClusterSnapshot(access, settings);
  return evaluatePrecheck(view, settings);
}

export { evaluatePrecheck };
