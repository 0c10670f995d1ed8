/**
 * The message the environment's topic carries for one deploy, rollback or promote: its outcome,
 * version and URL, in the forms subscribers read. Built only from the RunReport, so no
 * configuration value (and no secret) can reach a subscriber.
 */
import type { Notification } from '../engine/ports.js';
import type { RunReport, RunStatus } from '../engine/run-report.js';

const OUTCOME: Readonly<Record<RunStatus, string>> = {
  'success': 'succeeded',
  'failure': 'FAILED',
  'no-change': 'changed nothing',
  'skipped': 'was skipped',
  'planned': 'was planned',
  'cancelled': 'was CANCELLED',
};

/** SNS refuses a subject over 100 characters, or with a line break or a character below space. */
function subjectLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return clean.length <= 100 ? clean : `${clean.slice(0, 99)}…`;
}

export function notificationOf(report: RunReport): Notification {
  const outcome = OUTCOME[report.status];
  const version = report.version || 'no version';
  const title = `${report.application} ${report.environment}: ${report.command} of ${version} ${outcome}`;
  const traffic = report.traffic.map((share) => `${share.release} ${share.weight}%`).join(', ');
  const cause = report.rootCause ? `${report.rootCause.stack} ${report.rootCause.resource} ${report.rootCause.status}: ${report.rootCause.reason ?? 'no reason given'}` : undefined;
  const facts: [string, string | undefined][] = [
    ['Outcome', outcome],
    ['Application', report.application],
    ['Environment', report.environment],
    ['Command', report.command],
    ['Version', version],
    ['URL', report.url],
    ['Release URL', report.pinnedUrl],
    ['Image', report.image],
    ['Traffic', traffic || undefined],
    ['Why', cause ?? (report.status === 'success' ? undefined : report.message)],
    ['Log', report.logUrl],
    ['Duration', `${Math.round(report.durationMs / 1000)} s`],
  ];
  const present = facts.filter((fact): fact is [string, string] => fact[1] !== undefined && fact[1] !== '');
  const text = present.map(([name, value]) => `${name}: ${value}`).join('\n');
  // AWS Chatbot's custom notification schema: rendered as a message in Slack or Teams.
  const structured = JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title,
      description: present.map(([name, value]) => `*${name}*: ${value}`).join('\n'),
      ...(report.url || report.logUrl ? { nextSteps: [report.url, report.logUrl].filter((url): url is string => Boolean(url)) } : {}),
    },
    metadata: { enableCustomActions: false },
  });
  return {
    subject: subjectLine(`[wimpy] ${title}`),
    text,
    structured,
    attributes: { application: report.application, environment: report.environment, command: report.command, status: report.status },
  };
}
