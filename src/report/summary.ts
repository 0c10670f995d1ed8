/**
 * The job summary: the complete account of the run, every change and event unfolded. Built
 * only from the RunReport's fields, so no configuration value (and no secret) can reach it.
 */
import { renderReport } from './render.js';
import type { RunReport } from '../engine/run-report.js';

export function summaryMarkdown(report: RunReport): string {
  return renderReport(report, { heading: 2, changeRows: 200, eventRows: 25, open: true });
}
