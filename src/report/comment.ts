/**
 * The body of the one pull request comment per application and environment. It starts with a
 * hidden marker by which the next run finds the comment and updates it instead of adding one.
 */
import { code, link, text } from './markdown.js';
import { renderReport } from './render.js';
import type { RunReport } from '../engine/run-report.js';

/** The hidden first line that identifies the comment of `application` in `environment`. */
export function commentMarker(application: string, environment: string): string {
  return `<!-- wimpy-deploy: ${text(application)}/${text(environment)} -->`;
}

export function commentBody(report: RunReport): string {
  const view = renderReport(report, { heading: 3, changeRows: 30, eventRows: 10, open: false });
  return `${commentMarker(report.application, report.environment)}\n${view}`;
}

/** The body once a preview is gone, for a run that has no report of its own to give. */
export function removedCommentBody(application: string, environment: string, logUrl?: string): string {
  const log = logUrl ? ` See the ${link(logUrl, 'workflow run')}.` : '';
  return `${commentMarker(application, environment)}\n### 🗑️ Removed ${code(application)} from ${code(environment)}\n\nThe preview and everything it ran on are gone.${log}\n`;
}
