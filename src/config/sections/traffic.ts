import { CONTROL, type Reader } from './reader.js';

/** The traffic section: how a release takes its traffic (canary steps, their watch) and how many stay warm. */

export interface TrafficSection {
  readonly verifyUrl: boolean;
  readonly dnsTtl: number;
  readonly canarySteps: number[];
  readonly stepWaitSeconds: number;
  readonly alarmNames: string[];
  readonly keepReleases: number;
}

export function readTraffic(r: Reader): TrafficSection {
  const verifyUrl = r.boolean('verify-url');
  const dnsTtl = r.integer('dns-ttl', 60, 86400);
  const stepText = r.text('canary-steps');
  const canarySteps = r.list('canary-steps').map(Number);
  const stepsValid = canarySteps.length > 0 && r.list('canary-steps').every((step) => /^\d+$/.test(step)) && canarySteps.every((step, i) => step >= 1 && step <= 100 && (i === 0 || step > canarySteps[i - 1]!));
  if (!stepsValid) r.fail('canary-steps', stepText, 'is not allowed: use ascending percentages from 1 to 100, e.g. 10,50,100 (stop below 100 to leave a canary)');
  const stepWaitSeconds = r.integer('step-wait', 0, 3600);
  const alarmNames = r.items('alarm-names');
  for (const alarm of alarmNames) if (alarm.length > 255 || CONTROL.test(alarm)) r.fail('alarm-names', alarm, 'is not a CloudWatch alarm name: at most 255 printable characters');
  const keepReleases = r.integer('keep-releases', 0, 5);
  return { verifyUrl, dnsTtl, canarySteps, stepWaitSeconds, alarmNames, keepReleases };
}
