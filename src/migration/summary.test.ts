import { evaluatePrecheck } from './checks.js';
import { healthyView, settings } from './__fixtures__/cluster.js';
import { failureMessage, precheckSummary } from './summary.js';

describe('precheck summary', () => {
  it('has the checks table and the plan table', () => {
    const s = settings(['b', 'c']);
    const md = precheckSummary(evaluatePrecheck(healthyView(['a', 'b'], s), s));
    expect(md).toContain('### Migration precheck of `shop/web`: ✅ pass');
    expect(md).toContain('| readiness | ✅ pass | 2 of 2 replicas are ready |');
    expect(md).toContain(
      '| 0 | data-web-0 | pv-data-web-0 | 10 GiB | ebs.csi.aws.com | a | c | ebs-default | moves |',
    );
    expect(md).toContain(
      '| 1 | data-web-1 | pv-data-web-1 | 10 GiB | ebs.csi.aws.com | b | b | ebs-default | stays |',
    );
    expect(md).toContain('Downtime **estimate**');
  });
  it('puts every failure in one message', () => {
    const s = settings(['b', 'nowhere']);
    const view = healthyView(['a'], s);
    view.workload!.spec!.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete' };
    expect(failureMessage(evaluatePrecheck(view, s))).toBe(
      [
        'migration precheck of shop/web failed 2 checks:',
        '  - zones: target-zones: "nowhere" has no node; zones with nodes: a, b, c',
        '  - retention-policy: persistentVolumeClaimRetentionPolicy.whenScaled is Delete: scaling to zero would delete the PVCs; set it to Retain first',
      ].join('\n'),
    );
  });
});
