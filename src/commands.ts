import type { EventIntent } from './config/event.js';
import { previewNumber } from './config/names.js';
import type { Command, Config } from './config/types.js';
import { announce } from './engine/announce.js';
import type { EngineDeps } from './engine/context.js';
import { execInstance, ExecError, missingToolsMessage, sessionArgv } from './engine/exec.js';
import { formatLogLine, readLogs, type LogsResult } from './engine/logs.js';
import { planCommand, type PlanResult } from './engine/plan-changes.js';
import type { Instances } from './engine/ports.js';
import { runLocked, USE_CASES, type LockedCommand, type RunRequest, type RunResult } from './engine/run.js';
import type { RunReport } from './engine/run-report.js';
import { changesAsLogLines } from './engine/stack-status.js';
import { readStatus, type StatusReport } from './engine/status.js';
import { logsMarkdown } from './report/logs.js';
import { notificationOf } from './report/notification.js';
import { planMarkdown, planText, releasesMarkdown, releasesText } from './report/plan.js';
import { runOutputs, runReport, skippedReport } from './report/run.js';
import { statusMarkdown, statusText } from './report/status.js';
import { summaryMarkdown } from './report/summary.js';

/**
 * The table of commands: for each, its use case (engine/) and how its result is reported
 * (report/). main.ts and the terminal reach it through wiring.ts, which gives it its ports.
 * It knows no adapter: GitHub, the terminal's session and the job summary are ports too.
 */

/** The GitHub Deployment and pull request comment of a run; absent without a token. */
export interface DeploymentFeedback {
  started(start: { sha: string; environment: string; version: string; production: boolean; transient: boolean; description: string; logUrl?: string }): Promise<void>;
  finished(report: RunReport): Promise<void>;
  previewRemoved(environment: string, pullRequest?: number): Promise<void>;
}

/** A Session Manager session from the terminal, through the user's AWS CLI. */
export interface Session {
  missing(): ('aws' | 'session-manager-plugin')[];
  start(argv: readonly string[]): Promise<number>;
}

/** Everything a command talks to: the engine's ports, and how the run shows itself to people. */
export interface EntryPorts {
  readonly engine: EngineDeps;
  readonly instances: Instances;
  readonly session: Session;
  readonly feedback?: DeploymentFeedback;
  /** Whether the SDK's default chain finds credentials: `plan` reads the account only then. */
  readonly credentialsFound: () => Promise<boolean>;
  readonly writeSummary: (markdown: string) => Promise<unknown>;
  /** Where a terminal prints; the action logs it. */
  readonly print: (text: string) => void;
}

export interface EntryRequest extends RunRequest {
  readonly intent: EventIntent;
  /** `logs` in a terminal: keep printing new lines until interrupted. */
  readonly follow?: boolean;
  /** `exec`: the command to run in the container; a shell when empty. */
  readonly execCommand?: readonly string[];
}

export interface EntryOutcome {
  readonly outputs: Readonly<Record<string, string>>;
  readonly report?: RunReport;
  /** Set when the run must fail. */
  readonly failure?: string;
  /** What a terminal's --json prints instead of the outputs: `status`'s whole report. */
  readonly document?: unknown;
  /** A terminal's exit code other than 0 or 1: 2 where a tool is missing. */
  readonly exitCode?: number;
}

/** One command: what it does, and how what it did reaches people. */
interface CommandEntry<R> {
  /** The commands that put a release in front of people get a GitHub Deployment. */
  readonly deploys?: boolean;
  run(config: Config, ports: EntryPorts, request: EntryRequest): Promise<R>;
  report(config: Config, ports: EntryPorts, request: EntryRequest, result: R): Promise<EntryOutcome>;
}

const entry = <R>(command: CommandEntry<R>): CommandEntry<unknown> => command as CommandEntry<unknown>;

/** deploy, rollback, promote and destroy: a use case under the run's lock, told in a RunReport. */
function locked(command: LockedCommand, deploys: boolean): CommandEntry<unknown> {
  return entry<RunOutcome>({
    deploys,
    run: (config, ports, request) => runCommand(config, ports.engine, request),
    async report(config, ports, request, outcome) {
      const { report } = outcome;
      const { log } = ports.engine;
      if (report.rootCause) {
        const cause = report.rootCause;
        log.error(`${cause.stack} ${cause.resource} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}`);
      }
      // The annotation people see first says why the instances never answered.
      for (const boot of report.bootLogs ?? []) {
        log.error(`Instance ${boot.instance} of ${boot.release}, last ${boot.lines.length} lines of its boot and container logs:\n${boot.lines.join('\n')}\nMore: ${boot.command}`);
      }
      const output = report.releaseCommandOutput;
      if (output) log.error(`The release command's last ${output.lines.length} lines (log stream ${output.logStream}):\n${output.lines.join('\n')}`);
      if (ports.feedback) {
        await ports.feedback.finished(report);
        for (const environment of outcome.expiredPreviews) await ports.feedback.previewRemoved(environment, previewNumber(environment));
      }
      await ports.writeSummary(summaryMarkdown(report));
      ports.print(`${report.status}: ${command} ${config.application} ${config.environment}${report.url ? ` ${report.url}` : ''} (${report.version || 'no version'})`);
      await outcome.released;
      const failed = report.status === 'failure' || report.status === 'cancelled';
      return { outputs: outcome.outputs, report, ...(failed ? { failure: report.message ?? `${command} failed` } : {}) };
    },
  });
}

const COMMANDS: Readonly<Record<Command, CommandEntry<unknown>>> = {
  plan: entry<PlanResult>({
    run: async (config, ports, request) =>
      planCommand(config, (await ports.credentialsFound()) ? ports.engine : undefined, request.run, {
        ...(request.region ? { region: request.region } : {}),
        onPlan: (plan) => ports.print(planText(plan)),
        onChanges: (stack, list) => ports.print(changesAsLogLines(stack, list).join('\n')),
      }),
    async report(config, ports, request, { plan, account, error, durationMs }): Promise<EntryOutcome> {
      if (error !== undefined) {
        await ports.writeSummary(planMarkdown(plan));
        return { outputs: {}, failure: `The plan could not read the account: ${error}` };
      }
      let summary = planMarkdown(plan);
      if (account) {
        ports.print(releasesText(account.releases));
        const planned: RunReport = { ...skippedReport(config, request, ''), status: 'planned', stacks: account.changes, durationMs };
        summary = `${planMarkdown(plan, account.changes)}\n\n${summaryMarkdown(planned)}\n\n${releasesMarkdown(account.releases, new URL(plan.url).hostname)}`;
      }
      await ports.writeSummary(summary);
      const hasChanges = account?.changes.some((stack) => stack.outcome !== 'unchanged') ?? false;
      const stack = plan.stacks.find((planned) => planned.phase === 'deploy')?.name ?? '';
      return { outputs: { url: plan.url, version: plan.version, image: '', 'stack-name': stack, environment: config.environment, 'has-changes': String(hasChanges) } };
    },
  }),
  deploy: locked('deploy', true),
  rollback: locked('rollback', true),
  promote: locked('promote', true),
  destroy: locked('destroy', false),
  // `logs`: only a CloudWatch Logs client, no stack or GitHub call.
  logs: entry<LogsResult | Error>({
    run: (config, ports, request) =>
      readLogs(config, ports.engine, { follow: request.follow === true, ...(request.run.signal ? { signal: request.run.signal } : {}), onLine: (line) => ports.print(formatLogLine(line)) }).catch((error: Error) => error),
    async report(config, ports, _request, result): Promise<EntryOutcome> {
      if (result instanceof Error) return { outputs: {}, failure: `The logs could not be read: ${result.message}` };
      if (result.count === 0) ports.engine.log.info(`No log lines in ${result.group} for ${config.environment}${config.logs.release ? ` release ${config.logs.release}` : ''} in that window.`);
      await ports.writeSummary(logsMarkdown(config, result));
      return { outputs: { 'log-group': result.group, environment: config.environment } };
    },
  }),
  status: entry<StatusReport | Error>({
    run: (config, ports) => readStatus(config, { ...ports.engine, instances: ports.instances }).catch((error: Error) => error),
    async report(config, ports, _request, status): Promise<EntryOutcome> {
      if (status instanceof Error) return { outputs: {}, failure: `The status could not be read: ${status.message}` };
      ports.print(statusText(status));
      await ports.writeSummary(statusMarkdown(status));
      return { document: status, outputs: { url: status.url, environment: config.environment, 'log-group': status.logGroup, version: status.releases.find((release) => release.weight > 0 && !release.canary)?.version ?? '' } };
    },
  }),
  // `exec`: finds the instance, then hands the terminal to the user's AWS CLI.
  exec: entry<EntryOutcome>({
    async run(config, ports, request): Promise<EntryOutcome> {
      let argv: string[];
      try {
        const instance = await execInstance(config, { ...ports.engine, instances: ports.instances });
        argv = sessionArgv(config, instance.id, request.execCommand ?? [], request.region);
        ports.engine.log.info(`Instance ${instance.id} of release ${instance.version}`);
      } catch (error) {
        if (error instanceof ExecError) return { outputs: {}, failure: error.message };
        return { outputs: {}, failure: `The instance could not be found: ${(error as Error).message}` };
      }
      const missing = ports.session.missing();
      if (missing.length > 0) {
        ports.print(missingToolsMessage(missing, argv));
        return { outputs: {}, failure: `${missing.join(' and ')} not installed`, exitCode: 2 };
      }
      const code = await ports.session.start(argv);
      return { outputs: {}, ...(code !== 0 ? { failure: `The session ended with exit code ${code}`, exitCode: code } : {}) };
    },
    report: async (_config, _ports, _request, outcome) => outcome,
  }),
};

/** Runs the configuration's command: its use case, then its report. */
export async function runEntry(config: Config, ports: EntryPorts, request: EntryRequest): Promise<EntryOutcome> {
  if (request.intent.kind === 'skip') {
    const report = skippedReport(config, request, request.intent.reason);
    ports.engine.log.info(request.intent.reason);
    await ports.writeSummary(summaryMarkdown(report));
    return { outputs: { environment: config.environment, version: config.version, 'has-changes': 'false' }, report };
  }
  const command = COMMANDS[config.command];
  if (ports.feedback && command.deploys) {
    await ports.feedback.started({
      sha: request.sha,
      environment: config.environment,
      version: config.version,
      production: config.environment === 'production',
      transient: config.preview !== undefined,
      description: `${config.command} ${config.application} ${config.version}`.slice(0, 140),
      ...(request.logUrl ? { logUrl: request.logUrl } : {}),
    });
  }
  return command.report(config, ports, request, await command.run(config, ports, request));
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly outputs: Readonly<Record<string, string>>;
  /** Previews removed because they expired: their GitHub deployments become inactive. */
  readonly expiredPreviews: readonly string[];
  /** Settles once the run's lock is released: the entry awaits it after reporting. */
  readonly released: Promise<void>;
}

/**
 * deploy, rollback, promote or destroy: the use case under the lock, its report, and the
 * environment's subscribers told of it. A cancelled run tells no one: the runner kills it seconds
 * later, and those seconds belong to saying where it stopped (its GitHub deployment is failed);
 * an account that allowed-account-ids refused is not touched, not even to tell of it.
 */
export async function runCommand(config: Config, deps: EngineDeps, request: RunRequest): Promise<RunOutcome> {
  if (!(config.command in USE_CASES)) throw new Error(`${config.command} is not run under the lock`);
  const result: RunResult = await runLocked(config, deps, request, USE_CASES[config.command as LockedCommand]);
  const report = runReport(config, request, result);
  if (result.accountAllowed && !request.run.signal?.aborted) await announce(config, deps, notificationOf(report));
  return { report, outputs: runOutputs(config, result), expiredPreviews: result.expiredPreviews, released: result.released };
}
