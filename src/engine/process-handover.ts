import { processGroupsOf } from '../platforms/platform.js';
import type { EngineDeps, RunClock } from './context.js';
import type { GroupSizes, StackSummary } from './ports.js';
import type { Weighted } from './traffic.js';
import { gone } from './releases.js';

/**
 * The processes besides web (workers) belong to their release: they run while the release gets
 * traffic, and stop once traffic has left it, so that no two releases' workers consume the same
 * queue for longer than the switch. After every change of traffic (a deploy's last step, a
 * promote, a rollback) the groups of the releases with traffic run at their sizes and those of
 * the releases without any run none. A rollback comes here only after its listener change: the
 * traffic never waits for a worker.
 */

/** One change of a process group: its release, its process, and the sizes it goes to. */
export interface ProcessMove {
  readonly stack: string;
  readonly process: string;
  readonly group: string;
  readonly to: GroupSizes;
  /** true: the release has traffic and its process was stopped; false: it has none and the process ran. */
  readonly start: boolean;
}

const STOPPED: GroupSizes = { minSize: 0, desiredSize: 0, maxSize: 0 };

/** A release stack as the hand-over reads it: its status when the run has read it. */
type ReleaseStack = Pick<StackSummary, 'name' | 'outputs'> & Partial<Pick<StackSummary, 'status'>>;

/**
 * The process groups of these release stacks, each with its release. A stack being deleted has
 * none left to set: its groups are CloudFormation's to remove. One whose deletion failed may
 * still run a group, which stops like any other release's without traffic.
 */
export function processGroupsIn(stacks: readonly ReleaseStack[]) {
  return stacks.filter((stack) => stack.status === undefined || !gone({ status: stack.status })).flatMap((stack) => processGroupsOf(stack.outputs).map((process) => ({ stack: stack.name, ...process })));
}

/**
 * Which groups change, and to what: a group of a release with traffic that is stopped starts at
 * its release's sizes (one that runs is left to its scaling); a group of a release without
 * traffic that runs anything stops. A group that is gone (`current` does not name it) is left.
 */
export function processMoves(stacks: readonly ReleaseStack[], traffic: readonly Weighted[], current: ReadonlyMap<string, GroupSizes>): ProcessMove[] {
  const serving = new Set(traffic.filter((route) => route.weight > 0).map((route) => route.setIdentifier));
  return processGroupsIn(stacks).flatMap((process): ProcessMove[] => {
    const now = current.get(process.group);
    if (!now) return [];
    const start = serving.has(process.stack);
    const base = { stack: process.stack, process: process.name, group: process.group, start };
    if (start) return now.maxSize === 0 ? [{ ...base, to: { minSize: process.minSize, desiredSize: process.desiredSize, maxSize: process.maxSize } }] : [];
    return now.maxSize > 0 || now.desiredSize > 0 ? [{ ...base, to: STOPPED }] : [];
  });
}

type Known = readonly ReleaseStack[];

/**
 * The release stacks the traffic names, from those the run has read: a release in `traffic` that
 * is not among them (a rollback's quick path reads only the release it returns to) is read now,
 * after the change, by its name; a route named by no stack (its target group's ARN) is found
 * among all the environment's releases (`all`), when the caller can list them.
 */
async function stacksOf(deps: Pick<EngineDeps, 'stacks'>, known: Known, traffic: readonly Weighted[], run: Pick<RunClock, 'signal'>, all?: () => Promise<Known>): Promise<Known> {
  const names = new Set(known.map((stack) => stack.name));
  const unread = traffic.map((route) => route.setIdentifier).filter((name) => !names.has(name));
  if (unread.length === 0) return known;
  const read = await Promise.all(unread.map((name) => (name.startsWith('arn:') ? undefined : deps.stacks.describe(name, run.signal))));
  const found = read.filter((stack) => stack !== undefined);
  if (found.length === unread.length || !all) return [...known, ...found];
  return [...known, ...(await all()).filter((stack) => !names.has(stack.name))];
}

/**
 * Sets the process groups of the environment's releases after a change of traffic: `known` the
 * release stacks the run has read (see stacksOf for the others). Failures are warnings that name
 * the group: the traffic has moved, and the next deploy, promote or rollback sets the groups again.
 */
export async function handOverProcesses(deps: Pick<EngineDeps, 'processGroups' | 'stacks' | 'log'>, known: Known, traffic: readonly Weighted[], run: Pick<RunClock, 'signal'>, all?: () => Promise<Known>): Promise<ProcessMove[]> {
  try {
    const stacks = await stacksOf(deps, known, traffic, run, all);
    const groups = processGroupsIn(stacks).map((process) => process.group);
    if (groups.length === 0) return [];
    const moves = processMoves(stacks, traffic, await deps.processGroups.sizes(groups, run.signal));
    const done = await Promise.all(moves.map(async (move) => {
      try {
        await deps.processGroups.resize(move.group, move.to, run.signal);
        return move;
      } catch (error) {
        deps.log.warning(`The ${move.process} process of ${move.stack} (group ${move.group}) was not ${move.start ? 'started' : 'stopped'}: ${(error as Error).message} The next deploy, promote or rollback sets it again.`);
        return undefined;
      }
    }));
    const moved = done.filter((move) => move !== undefined);
    const said = (start: boolean) => moved.filter((move) => move.start === start).map((move) => `${move.process} of ${move.stack}`).join(', ');
    if (said(false)) deps.log.info(`Processes stopped, their release has no traffic now: ${said(false)}`);
    if (said(true)) deps.log.info(`Processes started, their release has traffic again: ${said(true)}`);
    return moved;
  } catch (error) {
    deps.log.warning(`The processes of the releases were not set after the change of traffic: ${(error as Error).message} The next deploy, promote or rollback sets them again.`);
    return [];
  }
}
