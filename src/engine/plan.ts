import { hostname, pinnedHostname, repositoryName, schedulesStack } from '../config/names.js';
import { processSize } from '../config/sections/processes.js';
import { SCHEDULE_STATE, schedulesAlarmName } from '../templates/schedules.js';
import type { SchedulesReport } from './run-report.js';
import type { Config } from '../config/types.js';
import type { CostEstimate } from '../cost/estimate.js';
import { environmentCost } from './cost.js';
import { releaseCommandPlace } from './release-command.js';
import { watchedAlarms } from './rollout.js';
import type { Template } from '../templates/template.js';
import { releaseName } from '../stacks/application-release.js';
import { dependencyNames, wavesFor } from '../stacks/catalogue.js';
import type { StackPhase } from '../stacks/kind.js';

/**
 * What a deploy would do, computed from the configuration alone: no credentials, no request.
 * It is the first thing a newcomer runs, and the same stacks the deploy applies.
 */

export interface PlannedStack {
  readonly name: string;
  readonly phase: StackPhase;
  /** Stacks of the same wave are applied side by side. */
  readonly wave: number;
  /** The stacks it imports from. */
  readonly dependsOn: readonly string[];
  readonly purpose: string;
  readonly template: Template;
  /** Values only AWS can give (digests, ARNs, ids), resolved at deploy time. */
  readonly resolvedAtDeploy: readonly string[];
}

/** A hostname the environment answers, and what it does there. */
export interface PlannedHostname {
  readonly hostname: string;
  readonly role: 'main' | 'domain' | 'redirect';
  readonly state: string;
}

/** A process besides web as a deploy would run it: its command, its instances, what makes one healthy. */
export interface PlannedProcess {
  readonly name: string;
  readonly command: string;
  /** e.g. `2-4 × c7i.large, scaling on 60% CPU` or `1 × t3.small`. */
  readonly size: string;
  /** When a new instance counts as healthy. */
  readonly health: string;
}

export interface Plan {
  readonly application: string;
  readonly environment: string;
  readonly strategy: Config['strategy'];
  readonly version: string;
  readonly url: string;
  readonly pinnedUrl?: string;
  readonly image: string;
  readonly build: string;
  readonly stacks: readonly PlannedStack[];
  /** The main hostname, the domains and the redirects. */
  readonly hostnames: readonly PlannedHostname[];
  readonly traffic: readonly string[];
  /** What the application costs a month in the environment once deployed: an estimate. */
  readonly cost: CostEstimate;
  /** The schedules a deploy would apply, once its traffic moved. */
  readonly schedules?: SchedulesReport;
  /** The processes besides web, each on instances of its own. */
  readonly processes?: readonly PlannedProcess[];
}

/** The processes of the configuration, as its release's stack runs them. */
function plannedProcesses(config: Config): { processes?: PlannedProcess[] } {
  if (config.processes.length === 0 || !config.steps.includes('deploy')) return {};
  return {
    processes: config.processes.map(({ name, command, health, capacity }) => ({
      name,
      command,
      size: capacity.minSize === capacity.maxSize ? processSize(capacity) : `${processSize(capacity)}, scaling on ${capacity.cpuTarget}% CPU`,
      health: `its container up ${config.processGraceSeconds} s${health ? `, then \`${health}\` exits 0` : ''}`,
    })),
  };
}

/** The schedules as a deploy of the configuration would leave them: running its release. */
function plannedSchedules(config: Config): { schedules?: SchedulesReport } {
  if (config.schedules.length === 0 || !config.steps.includes('deploy')) return {};
  return {
    schedules: {
      stack: schedulesStack(config.application, config.environment),
      outcome: 'applied',
      version: config.version,
      schedules: config.schedules.map((one) => ({ ...one, state: SCHEDULE_STATE })),
      alarm: schedulesAlarmName(config.application, config.environment),
    },
  };
}

export function imageOf(config: Config): string {
  if (config.build.image) return config.build.image;
  const repository = config.build.registry ? `${config.build.registry}/${repositoryName(config.application)}` : `<account>.dkr.ecr.<region>.amazonaws.com/${repositoryName(config.application)}`;
  return `${repository}:${config.version || '<last good release>'} (deployed by digest)`;
}

function buildStep(config: Config): string {
  if (!config.steps.includes('build')) return 'no build: the version must already be in the registry';
  if (config.build.image) return `no build: the prebuilt image ${config.build.image} is deployed`;
  return `docker build of ${config.build.context} with ${config.build.dockerfile}, unless the registry already holds ${config.version}`;
}

function trafficSteps(config: Config): string[] {
  const host = hostname(config.application, config.environment, config.hostedZone);
  if (config.strategy === 'rolling') {
    return [`update ${releaseName({ ...config, strategy: 'rolling' }, config.version)} in place, instances replaced one at a time once healthy; ${host} points at it (weight 100)`];
  }
  const release = releaseName({ ...config, strategy: 'blue-green' }, config.version);
  const steps = config.canarySteps.map((percent) => `${percent}% of ${host} to ${release}, ${100 - percent}% to the serving release${percent < 100 ? `, then watch ${config.stepWaitSeconds} s and alarms ${watchedAlarms(config, release).join(', ')}` : ''}`);
  const canary = config.canarySteps.at(-1)! < 100 ? [`stop at ${config.canarySteps.at(-1)}%: a canary until command promote or rollback`] : [];
  return [`create ${release} beside the serving release, at weight 0; wait until ${pinnedHostname(config.application, config.environment, config.version, config.hostedZone)} answers ${config.healthCheckPath}`, ...steps, ...canary, `keep ${config.keepReleases} previous release(s) warm; remove older ones after twice the DNS TTL`];
}

/** Blue-green: a release's workers run while it has traffic, so those of the release the traffic leaves stop. */
function processesStep(config: Config): string[] {
  if (config.processes.length === 0 || config.strategy !== 'blue-green') return [];
  const names = config.processes.map((process) => process.name).join(', ');
  return [`then ${names} of the releases without traffic go to zero instances (while a canary holds part of the traffic, both releases run theirs)`];
}

/** The release command comes first: nothing changes in the release's stack or its traffic until it has succeeded. */
function releaseCommandStep(config: Config): string[] {
  if (!config.releaseCommand) return [];
  return [`run the release command \`${config.releaseCommand.command}\` once, in the release's image, as ${releaseCommandPlace(config)}; a failure or ${config.releaseCommand.timeoutMinutes} minutes stop the deploy here`];
}

/** The schedules come last: they move to the release once it took the traffic. */
function schedulesStep(config: Config): string[] {
  if (config.schedules.length === 0) return [];
  return [`then ${schedulesStack(config.application, config.environment)} runs its ${config.schedules.length} schedule${config.schedules.length === 1 ? '' : 's'} with this release's task definition (while a canary holds part of the traffic, with the release that served before); alarm ${schedulesAlarmName(config.application, config.environment)} counts the runs that could not start`];
}

/** What each hostname will do; the account's zones and records are read at deploy (and by a plan with credentials). */
export function plannedHostnames(config: Config): PlannedHostname[] {
  const main = hostname(config.application, config.environment, config.hostedZone);
  return [
    { hostname: main, role: 'main', state: 'serves the releases' },
    ...config.domains.map((name): PlannedHostname => ({ hostname: name, role: 'domain', state: `serves what ${main} serves (alias record in its zone, checked at deploy)` })),
    ...config.redirectDomains.map((name): PlannedHostname => ({ hostname: name, role: 'redirect', state: `301 to https://${config.domains[0]} (alias record in its zone, checked at deploy)` })),
  ];
}

/** `region` prices the estimate (AWS's default region when none is configured). */
export function planRun(config: Config, region?: string): Plan {
  // The catalogue's kinds of the phases the run takes, in the waves they are applied in.
  const stacks = wavesFor(config)
    .filter(({ kind }) => config.steps.includes(kind.phase))
    .map(({ kind, wave }): PlannedStack => {
      const planned = kind.planned(config);
      return {
        name: kind.name(config),
        phase: kind.phase,
        wave,
        dependsOn: dependencyNames(kind, config),
        purpose: kind.purpose(config),
        template: kind.spec(config, planned.facts).template,
        resolvedAtDeploy: planned.resolvedAtDeploy,
      };
    });
  return {
    application: config.application,
    environment: config.environment,
    strategy: config.strategy,
    version: config.version,
    url: `https://${hostname(config.application, config.environment, config.hostedZone)}`,
    ...(config.strategy === 'blue-green' ? { pinnedUrl: `https://${pinnedHostname(config.application, config.environment, config.version, config.hostedZone)}` } : {}),
    image: imageOf(config),
    build: buildStep(config),
    stacks,
    hostnames: plannedHostnames(config),
    traffic: config.steps.includes('deploy') ? [...releaseCommandStep(config), ...trafficSteps(config), ...processesStep(config), ...schedulesStep(config)] : [],
    cost: environmentCost(config, region),
    ...plannedSchedules(config),
    ...plannedProcesses(config),
  };
}
