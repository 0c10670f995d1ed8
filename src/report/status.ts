import type { LastDeployment, StatusReport } from '../engine/status.js';
import { releasesDiagram, type ReleaseNode } from './diagrams.js';
import { code, link, table, text } from './markdown.js';
import { shortVersion } from './render.js';

/** What `status` prints and writes to the summary; `--json` prints the StatusReport itself. */

function age(seconds?: number): string {
  if (seconds === undefined) return '';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function marks(release: StatusReport['releases'][number]): string {
  return [release.canary && 'canary, waiting for promote', release.lastGood && 'last good', release.warm && release.weight === 0 && 'warm'].filter(Boolean).join(', ');
}

/** The releases behind the hostname, drawn from the same fields as the table under it. */
function releasesPicture(status: StatusReport): string | undefined {
  return releasesDiagram(new URL(status.url).hostname, status.releases.map((release): ReleaseNode => ({
    version: shortVersion(release.version),
    weight: release.weight,
    role: release.canary ? 'canary' : release.weight > 0 ? 'serving' : release.lastGood ? 'last good' : release.warm ? 'warm' : 'old',
    ...(release.ageSeconds !== undefined ? { age: age(release.ageSeconds) } : {}),
  })));
}

/** `deploy abc1234 by octocat, succeeded at <time>`: the command and who only when the lock's record tells them. */
function lastDeploymentWords(last: LastDeployment): string {
  const what = `${last.command ? `${last.command} ` : ''}${shortVersion(last.version) || '(no version)'}${last.stack ? ` (${last.stack})` : ''}`;
  const who = last.by ? ` by ${last.by}` : '';
  const how = last.outcome ? `, ${last.outcome}` : '';
  return `${what}${who}${how} at ${last.at}${last.runUrl ? `, run ${last.runUrl}` : ''}`;
}

function lastDeploymentMarkdown(last: LastDeployment): string {
  const what = `${last.command ? `${text(last.command)} ` : ''}${code(shortVersion(last.version) || '(no version)')}`;
  const who = last.by ? ` by ${text(last.by)}` : '';
  const how = last.outcome ? `, ${text(last.outcome)}` : '';
  return `${what}${who}${how} at ${text(last.at)}${last.runUrl ? ` (${link(last.runUrl, 'workflow run')})` : ''}`;
}

export function statusText(status: StatusReport): string {
  const lines = [`${status.application} in ${status.environment}: ${status.url}`, `Log group: ${status.logGroup}`];
  if (status.promotePending) lines.push('A canary waits for promote: wimpy promote, or rollback to send its traffic back.');
  lines.push('', status.releases.length === 0 ? 'Releases: none' : 'Releases, newest first:');
  for (const release of status.releases) {
    lines.push(`  ${shortVersion(release.version)}  ${release.weight} %  ${release.health}  ${age(release.ageSeconds)} old  ${marks(release)}`.trimEnd());
    lines.push(`      ${release.stack} ${release.stackStatus}${release.image ? `  ${release.image}` : ''}${release.pinnedUrl ? `  ${release.pinnedUrl}` : ''}`);
  }
  lines.push('', status.instances.length === 0 ? 'Instances: none' : 'Instances:');
  for (const instance of status.instances) {
    lines.push(`  ${instance.id}  ${shortVersion(instance.version)}  ${instance.lifecycle}  target ${instance.targetHealth ?? 'not registered'}${instance.targetReason ? ` (${instance.targetReason})` : ''}  launched ${instance.launchedAt ?? '?'}`);
  }
  lines.push('', status.scaling.length === 0 ? 'Scaling in the last hour: none' : 'Scaling in the last hour:');
  for (const activity of status.scaling) lines.push(`  ${activity.time}  ${activity.status}  ${activity.description}`);
  if (status.lastDeployment) lines.push('', `Last deployment: ${lastDeploymentWords(status.lastDeployment)}`);
  return lines.join('\n');
}

export function statusMarkdown(status: StatusReport): string {
  const parts = [`## 📊 Status of ${code(status.application)} in ${code(status.environment)}`];
  parts.push(table(['', ''], [
    ['**URL**', link(status.url, text(status.url))],
    ['**Log group**', code(status.logGroup)],
    ...(status.lastDeployment ? [['**Last deployment**', lastDeploymentMarkdown(status.lastDeployment)]] : []),
  ]));
  if (status.promotePending) parts.push('⏸️ A canary waits for `promote` (or `rollback` to send its traffic back).');
  const picture = releasesPicture(status);
  if (picture) parts.push(picture);
  parts.push(table(['Release', 'Traffic', 'Health', 'Age', '', 'Image', 'Pinned URL'], status.releases.map((release) => [
    code(shortVersion(release.version)), `${release.weight} %`, text(release.health), text(age(release.ageSeconds)), text(marks(release)), release.image ? code(release.image) : '', release.pinnedUrl ? link(release.pinnedUrl, text(release.pinnedUrl)) : '',
  ])));
  parts.push(table(['Instance', 'Release', 'Lifecycle', 'Target health', 'Launched'], status.instances.map((instance) => [
    code(instance.id), code(shortVersion(instance.version)), text(instance.lifecycle), text(`${instance.targetHealth ?? 'not registered'}${instance.targetReason ? ` (${instance.targetReason})` : ''}`), text(instance.launchedAt ?? ''),
  ])));
  parts.push(status.scaling.length === 0 ? 'No scaling activity in the last hour.' : table(['Time', 'Status', 'Activity'], status.scaling.map((activity) => [text(activity.time), text(activity.status), text(activity.description)])));
  return `${parts.join('\n\n')}\n`;
}
