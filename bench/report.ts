/**
 * The results of `npm run bench` as Markdown: the README's section between its bench markers,
 * and the same text on stdout.
 */

export interface Measured {
  readonly wallMs: number;
  readonly requests: number;
  readonly byApi: Readonly<Record<string, number>>;
  readonly roundTrips: number;
}

export interface ScenarioRow {
  readonly title: string;
  /** The column heading of the requests table. */
  readonly short: string;
  readonly action: Measured & { readonly peakMb: number };
  /** The AWS CLI script's run for the same outcome, and what it does; none where the script has no such run. */
  readonly script?: Measured & { readonly does: string };
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** Why it was missed, or what the number means. */
  readonly note?: string;
}

export interface BenchReport {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly memoryGb: number; readonly node: string };
  readonly endpoint: string;
  readonly latencyMs: number;
  readonly warmUp: string;
  readonly scenarios: readonly ScenarioRow[];
  readonly coldStart: { readonly runs: number; readonly firstRequestMs: number; readonly minimalFirstRequestMs: number; readonly ratio: number; readonly planMs: number; readonly distBytes: number };
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '–');
const NO_SCRIPT: Measured = { wallMs: 0, requests: 0, byApi: {}, roundTrips: 0 };

function table(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((side) => (side === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** `cloudformation:DescribeStacks` stays; Route 53's REST paths get their operation names. */
export function apiName(api: string): string {
  const route53: Record<string, string> = {
    'route53:GET /2013-04-01/hostedzonesbyname': 'route53:ListHostedZonesByName',
    'route53:GET /2013-04-01/hostedzone/{id}/rrset': 'route53:ListResourceRecordSets',
    'route53:POST /2013-04-01/hostedzone/{id}/rrset': 'route53:ChangeResourceRecordSets',
    'route53:GET /2013-04-01/change/{id}': 'route53:GetChange',
  };
  return route53[api] ?? api;
}

function byApiTable(scenarios: readonly ScenarioRow[]): string {
  const count = (measured: Measured, api: string) =>
    Object.entries(measured.byApi)
      .filter(([name]) => apiName(name) === api)
      .reduce((sum, [, n]) => sum + n, 0);
  const apis = [...new Set(scenarios.flatMap((row) => [...Object.keys(row.action.byApi), ...Object.keys((row.script ?? NO_SCRIPT).byApi)].map(apiName)))].sort();
  return table(
    ['requests by API (action / script)', ...scenarios.map((row) => row.short)],
    ['l', ...scenarios.map(() => 'r' as const)],
    apis.map((api) => [`\`${api}\``, ...scenarios.map((row) => `${count(row.action, api) || '·'} / ${count(row.script ?? NO_SCRIPT, api) || '·'}`)]),
  );
}

export function renderReport(report: BenchReport): string {
  const { machine } = report;
  const scenarioTable = table(
    ['scenario', 'action: wall', 'requests', 'round trips', 'peak MB', 'script: wall', 'requests', 'round trips', 'action / script: wall', 'requests'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    report.scenarios.map((row) => [
      row.title,
      seconds(row.action.wallMs),
      String(row.action.requests),
      String(row.action.roundTrips),
      row.action.peakMb.toFixed(0),
      row.script ? seconds(row.script.wallMs) : '–',
      row.script ? String(row.script.requests) : '–',
      row.script ? String(row.script.roundTrips) : '–',
      ratio(row.action.wallMs, row.script?.wallMs),
      ratio(row.action.requests, row.script?.requests),
    ]),
  );
  const targets = table(
    ['target', 'measured', 'verdict'],
    ['l', 'l', 'l'],
    report.targets.map((target) => [target.target, target.measured, `${target.met ? 'met' : '**missed**'}${target.note ? `: ${target.note}` : ''}`]),
  );
  const { coldStart } = report;
  const startTable = table(
    ['cold start and bundles', ''],
    ['l', 'r'],
    [
      [`\`dist/index.js\` from spawn to its first AWS request (median of ${coldStart.runs})`, `${coldStart.firstRequestMs.toFixed(0)} ms`],
      [`a minimal action (\`@actions/core\` and one SDK client, bundled the same way), to its first AWS request, run alternately with it (median of ${coldStart.runs})`, `${coldStart.minimalFirstRequestMs.toFixed(0)} ms`],
      ['the action over the minimal action', coldStart.ratio.toFixed(2)],
      [`\`wimpy plan\` in a terminal, whole run (median of ${coldStart.runs})`, `${coldStart.planMs.toFixed(0)} ms`],
      ['`dist/`, every file (the action and the terminal share one build)', `${coldStart.distBytes} bytes`],
    ],
  );
  return [
    `Measured on ${report.date} by \`npm run bench\` on ${machine.cpus} × ${machine.model} (nproc ${machine.cpus}), ${machine.memoryGb.toFixed(1)} GB memory, Node ${machine.node}; ` +
      `AWS API at ${report.endpoint} behind the counting proxy, ${report.latencyMs} ms added to every request. ${report.warmUp}`,
    '',
    scenarioTable,
    '',
    'What the AWS CLI script does in each scenario:',
    '',
    ...report.scenarios.map((row) => `- ${row.title}: ${row.script?.does ?? 'no script run: it is compared with the runs above'}`),
    '',
    targets,
    '',
    byApiTable(report.scenarios),
    '',
    startTable,
    '',
    ...report.notes.map((note) => `- ${note}`),
  ].join('\n');
}

export const README_START = '<!-- bench:start (generated by `npm run bench`) -->';
export const README_END = '<!-- bench:end -->';

/** The README with only its bench section replaced. */
export function withBenchSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no bench section: add the lines ${README_START} and ${README_END} where the results belong.`);
  return `${readme.slice(0, start + README_START.length)}\n${section}\n${readme.slice(end)}`;
}
