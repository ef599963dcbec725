import { InputError } from '../errors.js';
import { inputsFrom } from '../inputs.js';
import { parsePrecheckSettings } from './settings.js';

const base = { namespace: 'shop', statefulset: 'web', 'target-zones': 'eu-west-1b, eu-west-1c' };

describe('parsePrecheckSettings', () => {
  it('parses every input into one object', () => {
    expect(
      parsePrecheckSettings(
        inputsFrom({
          ...base,
          'workload-kind': 'kruise',
          'zone-key': 'topology.ebs.csi.aws.com/zone',
          'snapshot-class': 'csi-aws',
          'allow-controllers': 'hpa/web, argocd',
        }),
      ),
    ).toEqual({
      workload: { namespace: 'shop', name: 'web', kind: 'kruise' },
      targetZones: ['eu-west-1b', 'eu-west-1c'],
      zoneKey: 'topology.ebs.csi.aws.com/zone',
      snapshotClass: 'csi-aws',
      allowControllers: ['hpa/web', 'argocd'],
    });
  });
  it('defaults to an apps/v1 StatefulSet with zone detection', () => {
    const s = parsePrecheckSettings(inputsFrom(base));
    expect([s.workload.kind, s.zoneKey, s.snapshotClass, s.allowControllers]).toEqual(['kube', '', '', []]);
  });
  it.each([
    [{ namespace: '' }, 'namespace: empty value is not valid; expected a value (this input is required)'],
    [{ namespace: 'Shop' }, 'namespace: "Shop" is not valid'],
    [{ statefulset: 'web_1' }, 'statefulset: "web_1" is not valid'],
    [
      { 'workload-kind': 'deployment' },
      'workload-kind: "deployment" is not valid; expected one of kube, kruise',
    ],
    [{ 'target-zones': '' }, 'target-zones: empty value is not valid; expected one or more zone names'],
    [
      { 'target-zones': 'b, b' },
      'target-zones: "b, b" is not valid; expected each zone once (b is repeated)',
    ],
    [{ 'target-zones': 'zone a' }, 'target-zones: "zone a" is not valid'],
    [
      { 'zone-key': 'not a key' },
      'zone-key: "not a key" is not valid; expected a label key such as topology.kubernetes.io/zone',
    ],
    [{ 'snapshot-class': 'Bad Class' }, 'snapshot-class: "Bad Class" is not valid'],
  ])('%j gives one clear error', (patch, message) => {
    const call = () => parsePrecheckSettings(inputsFrom({ ...base, ...patch }));
    expect(call).toThrow(InputError);
    expect(call).toThrow(message);
  });
});
