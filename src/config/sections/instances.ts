import { defaultOf } from '../inputs.js';
import { PREVIEW_CAPACITIES, type CapacityConfig, type PreviewCapacity } from '../types.js';
import type { Reader } from './reader.js';

/** The instances section: their type and number, how they scale, and how their health is told. */

export interface InstancesSection {
  readonly capacity: CapacityConfig;
  readonly previewInstanceType: string;
  readonly previewCapacity: PreviewCapacity;
  readonly healthCheckPath: string;
  readonly signalTimeoutMinutes: number;
}

export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const HEALTH_PATH = /^\/[A-Za-z0-9/_.~%?=&+-]*$/;

/** A preview runs one instance, whatever the sizes say. */
export function readInstances(r: Reader, preview: number | undefined): InstancesSection {
  const instanceType = r.text('instance-type');
  if (!INSTANCE_TYPE.test(instanceType)) r.fail('instance-type', instanceType, 'is not allowed: use an EC2 instance type such as t3.small or m7g.large');
  const previewInstanceType = r.text('preview-instance-type');
  if (!INSTANCE_TYPE.test(previewInstanceType)) r.fail('preview-instance-type', previewInstanceType, 'is not allowed: use an EC2 instance type such as t3.micro or t3.small');
  const previewCapacity = r.oneOf('preview-capacity', PREVIEW_CAPACITIES);
  const minSize = r.integer('min-size', 0, 100);
  const desiredSize = r.integer('desired-size', 1, 100);
  const maxSize = r.integer('max-size', 1, 100);
  // Blame the input that breaks the order: the one the user set, not the default beside it.
  const sizes = `min-size ${minSize}, desired-size ${desiredSize}, max-size ${maxSize}: min-size <= desired-size <= max-size`;
  if (minSize > desiredSize) r.fail('min-size', String(minSize), `is not allowed with ${sizes}`);
  else if (desiredSize > maxSize) {
    const desiredIsDefault = r.text('desired-size') === defaultOf('desired-size');
    r.fail(desiredIsDefault ? 'max-size' : 'desired-size', String(desiredIsDefault ? maxSize : desiredSize), `is not allowed with ${sizes}`);
  }
  const cpuTarget = r.integer('cpu-target', 1, 100);

  const healthCheckPath = r.text('health-check-path');
  if (!HEALTH_PATH.test(healthCheckPath) || healthCheckPath.length > 1024) {
    r.fail('health-check-path', healthCheckPath, 'is not allowed: use a path starting with / of letters, digits and / _ . ~ % ? = & + -');
  }
  const signalTimeoutMinutes = r.integer('signal-timeout-minutes', 1, 60);
  // Only a preview may run on Spot: staging and production keep capacity AWS cannot take back.
  const capacity: CapacityConfig = preview !== undefined
    ? { instanceType: previewInstanceType, minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget, ...(previewCapacity === 'spot' ? { spot: true } : {}) }
    : { instanceType, minSize, desiredSize, maxSize, cpuTarget };
  return { capacity, previewInstanceType, previewCapacity, healthCheckPath, signalTimeoutMinutes };
}
