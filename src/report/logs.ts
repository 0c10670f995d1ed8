import type { Config } from '../config/types.js';
import { formatLogLine, type LogsResult } from '../engine/logs.js';
import { code, preformatted, text } from './markdown.js';

/** The job summary of `logs`: where the lines come from, how many, and the newest of them. */
export function logsMarkdown(config: Config, result: LogsResult): string {
  const scope = [config.logs.release && `release ${config.logs.release}`, config.logs.process && `process ${config.logs.process}`, config.logs.filter && `filter ${config.logs.filter}`].filter(Boolean).join(', ');
  const heading = `## 📜 Logs of ${code(config.application)} in ${code(config.environment)}`;
  const facts = `${result.count} line${result.count === 1 ? '' : 's'} from ${code(result.group)}${scope ? ` (${text(scope)})` : ''}.`;
  if (result.count === 0) return `${heading}\n\n${facts}\n`;
  const shown = result.last.length < result.count ? `The last ${result.last.length}, newest last; the step's log has them all:` : 'Newest last:';
  return `${heading}\n\n${facts} ${shown}\n\n${preformatted(result.last.map(formatLogLine))}\n`;
}
