/**
 * The product's data as the diagrams of diagrams.ts: which picture each report shows, drawn from
 * the same fields as the tables beside it.
 */
import { formatMonthly, type CostEstimate } from '../cost/estimate.js';
import type { PlannedStack } from '../engine/plan.js';
import type { Release } from '../engine/releases.js';
import { releasesDiagram, stacksDiagram, trafficDiagram, type ReleaseNode, type StackAction } from './diagrams.js';
import { formatDuration } from './markdown.js';
import type { RunReport, StackOutcome, StackReport } from '../engine/run-report.js';

const ACTIONS: Readonly<Record<StackOutcome, StackAction>> = {
  created: 'create',
  recreated: 'create',
  updated: 'update',
  unchanged: 'unchanged',
  removed: 'remove',
  failed: 'failed',
  planned: 'update',
};

/** What the change set says will happen: a stack whose every change is an addition is new. */
function actionOf(report: StackReport): StackAction {
  if (report.outcome === 'planned' && report.changes.length > 0 && report.changes.every((change) => change.action === 'Add')) return 'create';
  return ACTIONS[report.outcome];
}

/**
 * The plan's stacks in their waves, each with its estimated monthly cost. With the account read
 * (`changes`), each says what will happen to it and how many resources change; without, each is
 * a stack to apply.
 */
export function planPicture(stacks: readonly PlannedStack[], changes?: readonly StackReport[], estimate?: CostEstimate): string | undefined {
  return stacksDiagram(stacks.map((stack) => {
    const priced = estimate?.stacks.find((cost) => cost.name === stack.name);
    const cost = priced ? { cost: `≈ ${formatMonthly(priced.monthly)}` } : {};
    const report = changes?.find((change) => change.name === stack.name);
    const drawn = { name: stack.name, wave: stack.wave, dependsOn: stack.dependsOn, ...cost };
    if (!report) return { ...drawn, action: 'apply' as const };
    const replacements = report.changes.filter((change) => change.replacement === 'True' || change.replacement === 'Conditional').length;
    return { ...drawn, action: actionOf(report), changes: report.changes.length, replacements };
  }));
}

/** The traffic over a blue-green run, step by step, when it moved in steps. */
export function trafficPicture(report: RunReport): string | undefined {
  if (!report.trafficSteps?.length) return undefined;
  return trafficDiagram(report.trafficSteps.map((step) => ({
    shares: step.shares,
    ...(step.watchedMs !== undefined ? { watched: formatDuration(step.watchedMs) } : {}),
    ...(step.reverted ? { reverted: step.reverted } : {}),
  })));
}

const hostOf = (url: string | undefined) => (url ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/** The releases behind the hostname after the run, by their shares: the one that serves, a canary, the warm ones. */
export function sharesPicture(report: RunReport): string | undefined {
  if (report.traffic.length === 0 || !report.url) return undefined;
  const partial = report.traffic.filter((share) => share.weight > 0 && share.weight < 100);
  const smallest = Math.min(...partial.map((share) => share.weight));
  return releasesDiagram(hostOf(report.url), report.traffic.map((share): ReleaseNode => ({
    version: share.release,
    weight: share.weight,
    role: share.weight === 0 ? 'warm' : partial.length > 1 && share.weight === smallest ? 'canary' : 'serving',
  })));
}

function age(from: Date | undefined, now: Date): string | undefined {
  if (!from) return undefined;
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

/** The release history as AWS holds it: serving, canary, warm, last good, old, with ages. */
export function releasesPicture(hostname: string, releases: readonly Release[], now: Date): string | undefined {
  const lastGood = releases.find((release) => release.weight === 0 && release.health === 'good');
  return releasesDiagram(hostname, releases.map((release): ReleaseNode => {
    const role = release.weight === 100 ? 'serving'
      : release.weight > 0 ? (release.health === 'in-progress' ? 'canary' : 'serving')
      : release === lastGood ? 'last good'
      : release.warm && release.hasRecord ? 'warm' : 'old';
    const shown = age(release.createdAt, now);
    return { version: release.version, weight: release.weight, role, ...(shown ? { age: shown } : {}) };
  }));
}
