/**
 * Counts the AWS requests the stacks adapter makes for one stack: a first create (CreateStack,
 * no change set), an update, a run with nothing to change (recognised from the deployed
 * template), and one recognised only by an empty change set. CloudFormation is scripted with
 * aws-sdk-client-mock and the clock is fake, so the numbers are exact and the run takes no time.
 *
 *   npx tsc -p tsconfig.json && node lib/bench/stack-requests.js
 *
 * Exits with 1 when a run with nothing to change takes more than 3 requests or executes a change set.
 */
import { DeleteChangeSetCommand, DescribeStacksCommand, GetTemplateCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { NAME, START, TEMPLATE, change, deployed, event, harness, notFound, spec } from '../test/unit/stacks-support.js';

type Harness = ReturnType<typeof harness>;

/** The operation starts, then `polls` looks at the stack while CloudFormation works, then the final status. */
function working(h: Harness, during: StackStatus, final: StackStatus, polls: number): void {
  const statuses = [...Array.from({ length: polls }, () => ({ StackStatus: during })), { StackStatus: final }];
  const batches = statuses.map((_, i) => [event(`Resource${i}`, 'AWS::EC2::Subnet', final, i * 5)]);
  h.progress(statuses, batches);
}

const scenarios: Record<string, (h: Harness) => Promise<unknown>> = {
  'first create': (h) => {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).rejects(notFound());
    // A new stack takes CreateStack and no change set: `working` answers it with the stack's id.
    working(h, 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 36);
    return h.stacks.apply(spec(), h.options());
  },
  update: (h) => {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.changeSetAnswers('CREATE_COMPLETE', [change('LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'Modify', 'False')]);
    working(h, 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE', 24);
    return h.stacks.apply(spec({ parameters: { ...spec().parameters, ImageUri: 'shop:v2' } }), h.options());
  },
  'no change': (h) => {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
    return h.stacks.apply(spec(), h.options());
  },
  'no change, by empty change set': (h) => {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'Resources: {}' });
    h.changeSetAnswers('FAILED', [], "The submitted information didn't contain changes. Submit different information to create a change set.");
    h.cfn.on(DeleteChangeSetCommand).resolves({});
    return h.stacks.apply(spec(), h.options());
  },
};

const counts = new Map<string, Map<string, number>>();
const seconds = new Map<string, number>();
for (const [name, run] of Object.entries(scenarios)) {
  const h = harness();
  await run(h);
  const perCommand = new Map<string, number>();
  for (const call of h.cfn.calls()) {
    const command = call.args[0].constructor.name.replace(/Command$/, '');
    perCommand.set(command, (perCommand.get(command) ?? 0) + 1);
  }
  counts.set(name, perCommand);
  seconds.set(name, (h.clock.now() - START) / 1000);
}

const names = Object.keys(scenarios);
const commands = [...new Set([...counts.values()].flatMap((perCommand) => [...perCommand.keys()]))].sort();
const total = (name: string) => [...(counts.get(name)?.values() ?? [])].reduce((sum, n) => sum + n, 0);
const rows = [
  ['request', ...names],
  ...commands.map((command) => [command, ...names.map((name) => String(counts.get(name)?.get(command) ?? 0))]),
  ['total', ...names.map((name) => String(total(name)))],
  ['time waited (s)', ...names.map((name) => String(seconds.get(name)))],
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));

const noChange = counts.get('no change');
if (total('no change') > 3 || (noChange?.get('ExecuteChangeSet') ?? 0) > 0 || (noChange?.get('CreateChangeSet') ?? 0) > 0) {
  console.error('A run with nothing to change must take at most 3 requests and no change set.');
  process.exitCode = 1;
}
