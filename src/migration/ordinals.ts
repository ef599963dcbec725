/** Which ordinals a StatefulSet runs and the PVC names the controller gives them. */
import type { StatefulSetView } from './types.js';

/** Kruise reserveOrdinals: ints, or "a-b" ranges in newer Kruise versions. Unparseable entries are returned apart. */
export function reservedOrdinals(items: (number | string)[] = []): {
  reserved: Set<number>;
  invalid: string[];
} {
  const reserved = new Set<number>();
  const invalid: string[] = [];
  for (const item of items) {
    const text = String(item).trim();
    const range = /^(\d+)-(\d+)$/.exec(text);
    if (/^\d+$/.test(text)) reserved.add(Number(text));
    else if (range && Number(range[1]) <= Number(range[2])) {
      for (let i = Number(range[1]); i <= Number(range[2]); i++) reserved.add(i);
    } else invalid.push(text);
  }
  return { reserved, invalid };
}

/**
 * The ordinals of the replicas, in order: from `spec.ordinals.start`, skipping Kruise's reserved ordinals,
 * until `spec.replicas` are counted (the controllers' own rule).
 */
export function liveOrdinals(sts: StatefulSetView): number[] {
  const replicas = sts.spec?.replicas ?? 1;
  const start = sts.spec?.ordinals?.start ?? 0;
  const { reserved } = reservedOrdinals(sts.spec?.reserveOrdinals);
  const out: number[] = [];
  for (let i = start; out.length < replicas; i++) if (!reserved.has(i)) out.push(i);
  return out;
}

export function claimTemplateNames(sts: StatefulSetView): string[] {
  return (sts.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '').filter((n) => n !== '');
}

/** `<template>-<statefulset>-<ordinal>` */
export function pvcName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}

/** The ordinal in a pod's name `<statefulset>-<ordinal>`, or undefined. */
export function podOrdinal(statefulSet: string, podName: string): number | undefined {
  if (!podName.startsWith(`${statefulSet}-`)) return undefined;
  const rest = podName.slice(statefulSet.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}
