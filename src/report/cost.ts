/**
 * The cost estimate as people read it: per stack and in total, dated, called an estimate, with
 * what grows with use and what the table could not price.
 */
import { formatMonthly, type CostEstimate, type StackCost } from '../cost/estimate.js';
import { code, details, table, text } from './markdown.js';

const usd = (value: number) => value.toFixed(2);

function stackLabel(stack: StackCost): string {
  return `${stack.name}${stack.copies > 1 ? ` × ${stack.copies}` : ''}`;
}

function what(stack: StackCost): string {
  const lines = stack.lines.map((line) => line.what).join(', ') || 'nothing billed by the hour';
  return stack.shared ? `${lines} (shared by ${stack.shared})` : lines;
}

function caveat(estimate: CostEstimate): string {
  const where = estimate.regionAssumed ? `${estimate.region} (no region configured)` : estimate.region;
  return `An estimate from AWS's public on-demand prices in ${where} (as of ${estimate.pricesAsOf}), before traffic; not a quote.`;
}

/** For a terminal. */
export function costText(estimate: CostEstimate): string {
  const lines = [`Estimated monthly cost: ${formatMonthly(estimate.monthly)}`];
  for (const stack of estimate.stacks) lines.push(`  ${stackLabel(stack).padEnd(44)} ${usd(stack.monthly).padStart(8)} USD  ${what(stack)}`);
  for (const usage of estimate.usage) lines.push(`  + ${usage}`);
  for (const missing of estimate.unpriced) lines.push(`  not priced: ${missing}`);
  lines.push(`  ${caveat(estimate)}`);
  return lines.join('\n');
}

/** For the job summary and the pull request comment, escaped. */
export function costMarkdown(estimate: CostEstimate, open: boolean): string {
  const rows = estimate.stacks.map((stack) => [code(stackLabel(stack)), text(`${usd(stack.monthly)} USD`), text(what(stack))]);
  rows.push(['**total**', `**${text(`${usd(estimate.monthly)} USD`)}**`, '']);
  const notes = [
    ...estimate.usage.map((usage) => `- plus ${text(usage)}`),
    ...estimate.unpriced.map((missing) => `- not priced: ${text(missing)}`),
    '',
    `_${text(caveat(estimate))}_`,
  ];
  return details(`Estimated cost: ${text(formatMonthly(estimate.monthly))}`, `${table(['Stack', 'a month', 'What is billed'], rows)}\n\n${notes.join('\n')}`, open);
}
