import type { Plan } from '../engine/plan.js';
import type { Release } from '../engine/releases.js';
import { code, details, table, text } from './markdown.js';
import { costMarkdown, costText } from './cost.js';
import { planPicture, releasesPicture } from './pictures.js';
import { schedulesSection } from './render.js';
import type { StackReport } from '../engine/run-report.js';

/** The plan for a terminal: what a deploy would do, then every template it would apply. */
export function planText(plan: Plan, withTemplates = true): string {
  const lines = [
    `Plan: deploy ${plan.application} to ${plan.environment} (${plan.strategy}), version ${plan.version || '<last good release>'}`,
    '',
    `  url     ${plan.url}`,
    ...(plan.pinnedUrl ? [`  pinned  ${plan.pinnedUrl}`] : []),
    `  image   ${plan.image}`,
    `  build   ${plan.build}`,
    '',
    ...(plan.hostnames.length > 1 ? ['Hostnames:', ...plan.hostnames.map((host) => `  ${host.hostname.padEnd(40)} ${host.state}`), ''] : []),
    'Stacks, in order (same wave: side by side):',
    ...plan.stacks.map((stack) => `  ${stack.wave}. ${stack.name.padEnd(40)} ${stack.purpose}${stack.resolvedAtDeploy.length ? ` [at deploy: ${stack.resolvedAtDeploy.join(', ')}]` : ''}`),
    '',
    ...(plan.traffic.length ? ['Traffic:', ...plan.traffic.map((step, i) => `  ${i + 1}. ${step}`), ''] : []),
    ...(plan.processes ? ['Processes besides web (instances of their own, no load balancer):', ...plan.processes.flatMap((process) => [`  ${process.name.padEnd(20)} ${process.command}`, `  ${''.padEnd(20)} ${process.size}; healthy once ${process.health}`]), ''] : []),
    ...(plan.schedules ? [`Schedules (${plan.schedules.stack}, UTC; failures alarm ${plan.schedules.alarm}):`, ...plan.schedules.schedules.map((one) => `  ${one.expression.padEnd(24)} ${one.command}  [${one.state}]`), ''] : []),
    costText(plan.cost),
    '',
  ];
  if (withTemplates) {
    for (const stack of plan.stacks) lines.push(`--- template of ${stack.name}`, JSON.stringify(stack.template, null, 2), '');
  }
  return lines.join('\n');
}

/**
 * The plan for a job summary: the same facts, escaped, with the templates folded, and a picture
 * of the stacks in their waves; with the account read (`changes`), what will happen to each.
 */
export function planMarkdown(plan: Plan, changes?: readonly StackReport[]): string {
  const picture = planPicture(plan.stacks, changes, plan.cost);
  return [
    `### 📝 Plan: deploy ${code(plan.application)} to ${code(plan.environment)}`,
    '',
    table(['', ''], [
      ['URL', text(plan.url)],
      ...(plan.pinnedUrl ? [['Pinned URL', text(plan.pinnedUrl)]] : []),
      ['Strategy', code(plan.strategy)],
      ['Version', code(plan.version || 'last good release')],
      ['Image', code(plan.image)],
      ['Build', text(plan.build)],
    ]),
    '',
    ...(plan.hostnames.length > 1 ? [table(['hostname', 'what it does'], plan.hostnames.map((host) => [code(host.hostname), text(host.state)])), ''] : []),
    ...(picture ? [picture, ''] : []),
    table(['wave', 'stack', 'what it holds'], plan.stacks.map((stack) => [String(stack.wave), code(stack.name), text(stack.purpose)])),
    '',
    ...(plan.traffic.length ? ['**Traffic**', '', ...plan.traffic.map((step, i) => `${i + 1}. ${text(step)}`), ''] : []),
    ...(plan.processes ? [table(['process', 'command', 'instances', 'healthy once'], plan.processes.map((process) => [code(process.name), code(process.command), text(process.size), text(process.health)])), ''] : []),
    ...(plan.schedules ? [schedulesSection(plan.schedules, true), ''] : []),
    costMarkdown(plan.cost, true),
    '',
    ...plan.stacks.map((stack) => details(`Template of ${code(stack.name)}`, fenced(JSON.stringify(stack.template, null, 2)))),
  ].join('\n');
}

/** A code block whose fence is longer than any run of backticks inside it, so nothing closes it early. */
function fenced(body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}json\n${body}\n${fence}`;
}

function releaseRow(release: Release): string[] {
  return [release.version, release.stackName, release.stackStatus, `${release.weight}`, `${release.health}: ${release.reason}`, release.createdAt?.toISOString() ?? ''];
}

const RELEASE_HEADER = ['version', 'stack', 'status', 'weight', 'health', 'created'];

/** The release history for a terminal, newest first. */
export function releasesText(releases: readonly Release[]): string {
  if (releases.length === 0) return 'Releases: none yet';
  return ['Releases, newest first:', ...releases.map((release) => `  ${releaseRow(release).join('  ')}`)].join('\n');
}

/** The release history for a job summary, escaped, with its picture when the hostname is known. */
export function releasesMarkdown(releases: readonly Release[], hostname?: string, now = new Date()): string {
  if (releases.length === 0) return '**Releases**: none yet';
  const picture = hostname ? releasesPicture(hostname, releases, now) : undefined;
  return ['**Releases**, newest first', '', ...(picture ? [picture, ''] : []), table(RELEASE_HEADER, releases.map((release) => releaseRow(release).map(text)))].join('\n');
}
