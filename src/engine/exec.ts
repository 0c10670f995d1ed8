import { platformOf } from '../platforms/index.js';
import { shellQuote } from '../platforms/shell.js';
import { releaseHistory, serving } from './releases.js';
import { readReleases, type ReleaseState } from './rollback.js';
import type { Config } from '../config/types.js';
import type { Clock, Dns, InstanceGroup, Instances, Listeners, Stacks } from './ports.js';

/**
 * `exec`: a shell, or one command, in the container of a running instance of the serving
 * release, through the session its platform opens (EC2: Session Manager, platforms/ec2/session.ts).
 */

export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecError';
  }
}

/** A healthy, in-service instance of a serving release: the release with most traffic first (not a canary). */
export function chooseInstance(state: Pick<ReleaseState, 'stacks' | 'weights'>, groups: readonly InstanceGroup[]): { id: string; version: string } {
  const releases = serving(releaseHistory(state.stacks, state.weights)).sort((a, b) => b.weight - a.weight);
  if (releases.length === 0) throw new ExecError('No release serves this environment: deploy first.');
  for (const release of releases) {
    const instances = groups.filter((group) => group.stackName === release.stackName).flatMap((group) => group.instances).filter((instance) => instance.lifecycle === 'InService');
    const chosen = instances.find((instance) => instance.targetHealth === 'healthy') ?? instances[0];
    if (chosen) return { id: chosen.id, version: release.version };
  }
  throw new ExecError(`No running instance of the serving release (${releases.map((release) => release.stackName).join(', ')}) was found.`);
}

/** The AWS CLI's arguments that open the session, as the configuration's platform opens one. */
export function sessionArgv(config: Config, instanceId: string, command: readonly string[], region?: string): string[] {
  return platformOf(config).sessionArgv(instanceId, command, region);
}

/** What to install where a tool is missing, and the command that would have run. */
export function missingToolsMessage(missing: readonly ('aws' | 'session-manager-plugin')[], argv: readonly string[]): string {
  const install = {
    aws: 'the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
    'session-manager-plugin': 'the Session Manager plugin for the AWS CLI: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html',
  } as const;
  return [
    `wimpy exec needs ${missing.join(' and ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed here. Install:`,
    ...missing.map((tool) => `  - ${install[tool]}`),
    'Then this command opens the session:',
    `  aws ${argv.map(shellQuote).join(' ')}`,
  ].join('\n');
}

/** The exec use case, before the session: the instance to open it on. */
export async function execInstance(config: Config, deps: { readonly stacks: Stacks; readonly dns: Dns; readonly listeners: Listeners; readonly instances: Instances; readonly clock: Clock }): Promise<{ id: string; version: string }> {
  const [state, groups] = await Promise.all([readReleases(config, deps), deps.instances.groups(config.application, config.environment, deps.clock.now())]);
  return chooseInstance(state, groups);
}
