import { shellQuote } from '../shell.js';
import { SERVICE } from './user-data.js';

/**
 * A Session Manager session on the instance (no SSH, no open port, every session in
 * CloudTrail) that runs `sudo docker exec` in the container systemd keeps under SERVICE: the
 * session's user is not in the docker group. Every word of the command is quoted.
 */
export function sessionArgv(instanceId: string, command: readonly string[], region?: string): string[] {
  const words = command.length > 0 ? command : ['sh'];
  const remote = `sudo docker exec --interactive --tty ${SERVICE} ${words.map(shellQuote).join(' ')}`;
  return ['ssm', 'start-session', '--target', instanceId, '--document-name', 'AWS-StartInteractiveCommand', '--parameters', JSON.stringify({ command: [remote] }), ...(region ? ['--region', region] : [])];
}
