/** Inputs shared by migration-precheck and zone-migrate, validated once before anything is read. */
import { InputError } from '../errors.js';
import { parseChoice, parseList, requireInput, type InputSource } from '../inputs.js';
import type { PrecheckSettings, WorkloadKind } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A label value (zone names are node label values).
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// A label key: optional DNS prefix, then a name.
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function parseTargetZones(value: string): string[] {
  const zones = parseList(value);
  if (zones.length === 0)
    throw new InputError(
      'target-zones',
      value,
      'one or more zone names, comma-separated, in the order to fill them',
    );
  for (const z of zones) {
    if (z.length > 63 || !LABEL_VALUE.test(z))
      throw new InputError(
        'target-zones',
        z,
        'a zone name (a node label value: letters, digits, "-", "_", ".")',
      );
  }
  const dup = zones.find((z, i) => zones.indexOf(z) !== i);
  if (dup !== undefined) throw new InputError('target-zones', value, `each zone once (${dup} is repeated)`);
  return zones;
}

export function parsePrecheckSettings(inputs: InputSource): PrecheckSettings {
  const namespace = requireInput(inputs, 'namespace');
  if (namespace.length > 63 || !DNS_LABEL.test(namespace))
    throw new InputError('namespace', namespace, 'a namespace name (lower-case letters, digits and "-")');
  const name = requireInput(inputs, 'statefulset');
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    throw new InputError('statefulset', name, 'a StatefulSet name (lower-case letters, digits, "-" and ".")');
  const kind: WorkloadKind = parseChoice(
    'workload-kind',
    inputs.get('workload-kind'),
    ['kube', 'kruise'] as const,
    'kube',
  );
  const zoneKey = inputs.get('zone-key');
  if (zoneKey !== '' && !LABEL_KEY.test(zoneKey))
    throw new InputError('zone-key', zoneKey, 'a label key such as topology.kubernetes.io/zone');
  const snapshotClass = inputs.get('snapshot-class');
  if (snapshotClass !== '' && !DNS_SUBDOMAIN.test(snapshotClass))
    throw new InputError('snapshot-class', snapshotClass, 'a VolumeSnapshotClass name');
  return {
    workload: { namespace, name, kind },
    targetZones: parseTargetZones(inputs.get('target-zones')),
    zoneKey,
    snapshotClass,
    allowControllers: parseList(inputs.get('allow-controllers')),
  };
}
