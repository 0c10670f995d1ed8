/**
 * One rendering of a RunReport, shared by the pull request comment (compact) and the job
 * summary (complete). Reads only the report's fields; every value goes through markdown.ts.
 */
import type { Command } from '../config/types.js';
import type { ResourceChange } from '../engine/ports.js';
import { clip, code, details, fenced, formatDuration, link, preformatted, table, text } from './markdown.js';
import { costMarkdown } from './cost.js';
import { sharesPicture, trafficPicture } from './pictures.js';
import type { EventReport, HostnameReport, ProcessReport, RunReport, SchedulesReport, StackReport, TrafficStepReport } from '../engine/run-report.js';

export interface RenderOptions {
  /** Markdown heading level of the title. */
  readonly heading: 2 | 3;
  /** Resource changes listed per table before "and N more". */
  readonly changeRows: number;
  readonly eventRows: number;
  /** Whether the list of changes and events starts unfolded. */
  readonly open: boolean;
}

const VERBS: Readonly<Record<Command, { readonly infinitive: string; readonly past: string; readonly preposition: string }>> = {
  deploy: { infinitive: 'deploy', past: 'Deployed', preposition: 'to' },
  rollback: { infinitive: 'roll back', past: 'Rolled back', preposition: 'in' },
  promote: { infinitive: 'promote', past: 'Promoted', preposition: 'in' },
  destroy: { infinitive: 'remove', past: 'Removed', preposition: 'from' },
  plan: { infinitive: 'plan', past: 'Planned', preposition: 'for' },
  logs: { infinitive: 'read the logs of', past: 'Read the logs of', preposition: 'in' },
  status: { infinitive: 'read the status of', past: 'Read the status of', preposition: 'in' },
  exec: { infinitive: 'open a shell in', past: 'Opened a shell in', preposition: 'in' },
};

const SHA = /^[0-9a-f]{40}$/i;
const REASON_CHARS = 1000;

export function title(report: RunReport): string {
  const verb = VERBS[report.command];
  const where = `${code(report.application)} ${verb.preposition} ${code(report.environment)}`;
  switch (report.status) {
    case 'success':
      return report.command === 'destroy' ? `🗑️ ${verb.past} ${where}` : `✅ ${verb.past} ${where}`;
    case 'no-change':
      return `✅ ${code(report.application)} in ${code(report.environment)} is up to date`;
    case 'planned':
      // What `plan` plans is a deploy.
      return `📝 Plan to deploy ${code(report.application)} to ${code(report.environment)}`;
    case 'skipped':
      return `⏭️ Skipped: ${verb.infinitive} ${where}`;
    case 'cancelled':
      return `⛔ Cancelled: ${verb.infinitive} ${where}`;
    case 'failure':
      return `❌ Failed to ${verb.infinitive} ${where}`;
  }
}

/** A commit SHA as its usual seven characters; any other version as it is. */
export function shortVersion(version: string): string {
  return SHA.test(version) ? version.slice(0, 7) : version;
}

function countChanges(changes: readonly ResourceChange[], planned: boolean): string {
  if (changes.length === 0) return 'no changes';
  const count = (action: ResourceChange['action']) => changes.filter((change) => change.action === action).length;
  const replaced = changes.filter((change) => change.replacement === 'True' || change.replacement === 'Conditional').length;
  const [add, modify, remove] = planned ? ['to add', 'to modify', 'to remove'] : ['added', 'modified', 'removed'];
  const parts = [`${count('Add')} ${add}`, `${count('Modify') + count('Dynamic')} ${modify}`, `${count('Remove')} ${remove}`];
  if (replaced > 0) parts.push(`${replaced} ${planned ? 'to replace' : 'replaced'}`);
  if (count('Import') > 0) parts.push(`${count('Import')} imported`);
  return parts.join(', ');
}

function totalChanges(report: RunReport): string {
  const changed = report.stacks.filter((stack) => stack.changes.length > 0);
  if (changed.length === 0) return 'none';
  const planned = report.status === 'planned';
  const all = changed.flatMap((stack) => stack.changes);
  return `${changed.length} ${changed.length === 1 ? 'stack' : 'stacks'}: ${countChanges(all, planned)}`;
}

function traffic(report: RunReport): string {
  return report.traffic.map((share) => `${code(share.release)} ${share.weight} %`).join(', ');
}

function facts(report: RunReport, complete: boolean): string[][] {
  const rows: string[][] = [];
  const add = (label: string, value: string | undefined) => {
    if (value) rows.push([`**${label}**`, value]);
  };
  add('Version', link(report.commitUrl, code(shortVersion(report.version))));
  if (report.version !== report.sha && report.sha) add('Commit', link(report.commitUrl, code(report.sha.slice(0, 7))));
  add('URL', report.url && link(report.url, text(report.url)));
  add('Pinned URL', report.pinnedUrl && link(report.pinnedUrl, text(report.pinnedUrl)));
  add('Strategy', text(report.strategy));
  add('Traffic', traffic(report));
  add('Alarms', report.alarms?.map(code).join(', '));
  if (complete) add('Image', report.image && code(report.image));
  add('Changes', text(totalChanges(report)));
  add('Duration', text(formatDuration(report.durationMs)));
  add('Log group', report.logGroup && code(report.logGroup));
  add('Log', link(report.logUrl, 'workflow run'));
  return rows;
}

function more(hidden: number, columns: number): string[] {
  return [`… and ${hidden} more`, ...Array.from({ length: columns - 1 }, () => '')];
}

function limited<T>(items: readonly T[], max: number, row: (item: T) => string[], columns: number): string[][] {
  const rows = items.slice(0, max).map(row);
  return items.length > max ? [...rows, more(items.length - max, columns)] : rows;
}

function stacksSection(stacks: readonly StackReport[], planned: boolean): string {
  return table(
    ['Stack', 'Outcome', 'Changes'],
    stacks.map((stack) => [code(stack.name), text(stack.outcome), text(countChanges(stack.changes, planned))]),
  );
}

function changesSection(stacks: readonly StackReport[], max: number): string {
  const changes = stacks.flatMap((stack) => stack.changes.map((change) => ({ stack: stack.name, ...change })));
  return table(
    ['Stack', 'Resource', 'Type', 'Action', 'Replacement'],
    limited(changes, max, (c) => [code(c.stack), code(c.logicalId), code(c.type), text(c.action), text(c.replacement ?? '')], 5),
  );
}

function time(event: EventReport): string {
  return event.timestamp ? event.timestamp.toISOString().slice(11, 19) : '';
}

function eventsSection(events: readonly EventReport[], max: number): string {
  // The last events matter most: keep the end of the list.
  const shown = events.slice(-max);
  return table(
    ['Time (UTC)', 'Stack', 'Resource', 'Type', 'Status', 'Reason'],
    shown.map((e) => [text(time(e)), code(e.stack), code(e.resource), code(e.type), code(e.status), text(clip(e.reason ?? '', REASON_CHARS))]),
  );
}

function rootCause(event: EventReport): string {
  const what = `${code(event.resource)} (${code(event.type)}) in ${code(event.stack)}: ${code(event.status)}`;
  return `**Root cause:** ${what}${event.reason ? ` — ${text(clip(event.reason, REASON_CHARS))}` : ''}`;
}

function stepsSection(steps: readonly TrafficStepReport[]): string {
  return table(
    ['Step', 'Traffic', 'Watched', 'Outcome'],
    steps.map((step, index) => [
      text(step.reverted ? 'back' : String(index + 1)),
      text(step.shares.map((share) => `${share.release} ${share.weight} %`).join(', ')),
      text(step.watchedMs !== undefined ? formatDuration(step.watchedMs) : ''),
      text(step.reverted ?? 'held'),
    ]),
  );
}

/**
 * The schedules: which release they run, the alarm that counts the runs that could not start,
 * and each schedule with its expression, command and state. Open even in a comment: a handful
 * of lines, and where people look when a nightly job did not happen.
 */
export function schedulesSection(schedules: SchedulesReport, planned = false): string {
  const where = `${code(schedules.stack)}${planned ? ' (would be applied)' : `: ${text(schedules.outcome)}`}`;
  if (schedules.outcome === 'removed') return `**Schedules** — ${where}: the input has none now.`;
  const runs = schedules.version ? `, running ${code(shortVersion(schedules.version))}` : schedules.taskDefinition ? `, running ${code(schedules.taskDefinition.split('/').at(-1) ?? '')}` : '';
  const alarm = `Failures alarm ${code(schedules.alarm)}${schedules.alarmState ? ` (${text(schedules.alarmState)})` : ''}`;
  const rows = schedules.schedules.map((one) => [code(one.expression), code(one.command), text(one.state)]);
  return `**Schedules** — ${where}${runs}. ${alarm}.\n\n${table(['Schedule (UTC)', 'Command', 'State'], rows)}`;
}

/**
 * The hostnames: what each answers (the releases, what the main hostname serves, or a permanent
 * redirect) and the state of its records. Open even in a comment: a handful of lines, and where
 * people look when a domain does not answer.
 */
export function hostnamesSection(hostnames: readonly HostnameReport[]): string {
  const main = hostnames.find((one) => one.role === 'main')?.hostname;
  const answers = (one: HostnameReport) => (one.role === 'main' ? 'the releases' : one.role === 'domain' ? `what ${main ?? 'the main hostname'} serves` : `301 to https://${one.redirectsTo ?? ''}`);
  return `**Hostnames**\n\n${table(['Hostname', 'Answers', 'State'], hostnames.map((one) => [code(one.hostname), text(answers(one)), text(one.state)]))}`;
}

/** The processes besides web: each with its size and whether it is healthy. Open even in a comment, like the hostnames. */
export function processesSection(processes: readonly ProcessReport[]): string {
  return `**Processes**\n\n${table(['Process', 'Size', 'State'], processes.map((one) => [code(one.name), text(one.size), one.release ? `${text(one.state)} in ${code(one.release)}` : text(one.state)]))}`;
}

/** The pictures of the run, each followed by the table that says the same in words. */
function pictures(report: RunReport): string[] {
  const parts: string[] = [];
  const steps = trafficPicture(report);
  if (report.trafficSteps?.length) parts.push(`**Traffic over the run**\n\n${steps ? `${steps}\n\n` : ''}${stepsSection(report.trafficSteps)}`);
  const releases = sharesPicture(report);
  if (releases) parts.push(`**Releases**\n\n${releases}`);
  return parts;
}

/** The report as Markdown: title, key facts, on failure the cause, the pictures, then what changed. */
export function renderReport(report: RunReport, options: RenderOptions): string {
  const parts = [`${'#'.repeat(options.heading)} ${title(report)}`];
  if (report.message) parts.push(text(report.message));
  if (report.rootCause) parts.push(rootCause(report.rootCause));
  for (const warning of report.warnings ?? []) parts.push(`> [!WARNING]\n> ${text(warning)}`);
  parts.push(table(['', ''], facts(report, options.open)));
  if (report.releases && report.releases.length > 0) {
    parts.push(details('Releases kept', table(['Stack', 'Why'], report.releases.map((kept) => [code(kept.stack), text(kept.reason)])), options.open));
  }
  for (const boot of report.bootLogs ?? []) {
    // Open even in a comment: these lines are why the deploy failed.
    parts.push(details(`Boot and container log of ${code(boot.instance)} (${code(shortVersion(boot.release))}), last ${boot.lines.length} lines`, `${preformatted(boot.lines)}\n\nMore: ${code(boot.command)}`, true));
  }
  const output = report.releaseCommandOutput;
  if (output) {
    // Open even in a comment: these lines are why the deploy stopped.
    parts.push(details(`Release command output, last ${output.lines.length} lines (log stream ${code(output.logStream)})`, fenced(output.lines), true));
  }
  parts.push(...pictures(report));
  if (report.hostnames && report.hostnames.length > 0) parts.push(hostnamesSection(report.hostnames));
  if (report.processes && report.processes.length > 0) parts.push(processesSection(report.processes));
  if (report.schedules) parts.push(schedulesSection(report.schedules, report.status === 'planned'));
  if (report.cost) parts.push(costMarkdown(report.cost, options.open));
  if (report.lastEvents && report.lastEvents.length > 0) {
    parts.push(details('Last stack events', eventsSection(report.lastEvents, options.eventRows), options.open));
  }
  if (report.stacks.length > 0) {
    const planned = report.status === 'planned';
    const changed = report.stacks.some((stack) => stack.changes.length > 0);
    const body = changed ? `${stacksSection(report.stacks, planned)}\n\n${changesSection(report.stacks, options.changeRows)}` : stacksSection(report.stacks, planned);
    parts.push(details(planned ? 'What would change' : 'What changed', body, options.open));
  }
  return `${parts.join('\n\n')}\n`;
}
