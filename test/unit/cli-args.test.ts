import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandUsage, parseArgv, usage } from '../../src/terminal/args.js';
import { INPUTS } from '../../src/config/inputs.js';
import { COMMANDS } from '../../src/config/types.js';

describe('the terminal command line', () => {
  test('takes the inputs as flags, --input value or --input=value', () => {
    const args = parseArgv(['deploy', '--application-name', 'shop', '--hosted-zone=example.com', '--environment-variables', 'A=b=c']);
    assert.deepEqual(args, { kind: 'run', command: 'deploy', json: false, follow: false, rest: [], inputs: { command: 'deploy', 'application-name': 'shop', 'hosted-zone': 'example.com', 'environment-variables': 'A=b=c' } });
  });

  test('logs takes --since, --release, --process, --filter and --follow, in any order', () => {
    const args = parseArgv(['--follow', 'logs', '--since', '10m', '--release=v1', '--process', 'web', '--filter', '"status=500"']);
    assert.deepEqual(args, { kind: 'run', command: 'logs', json: false, follow: true, rest: [], inputs: { command: 'logs', since: '10m', release: 'v1', process: 'web', filter: '"status=500"' } });
  });

  test('exec takes the words after -- as its command, flags and all', () => {
    const args = parseArgv(['exec', '--application-name', 'shop', '--', 'ls', '-la', '--since']);
    assert.equal(args.kind, 'run');
    assert.deepEqual(args.kind === 'run' && args.rest, ['ls', '-la', '--since']);
  });

  test('--follow is refused outside logs, words after -- outside exec, and logs\' flags outside logs, each naming the flag', () => {
    const problems = (argv: string[]) => { const args = parseArgv(argv); return args.kind === 'usage' ? args.problems : []; };
    assert.deepEqual(problems(['status', '--follow']), ['--follow is only for wimpy logs']);
    assert.deepEqual(problems(['logs', '--', 'ls']), ['ls: words after -- are only for wimpy exec']);
    assert.deepEqual(problems(['deploy', '--since', '1h']), ['--since is not a flag of wimpy deploy: see wimpy help deploy']);
    assert.deepEqual(problems(['exec', '--json']), ['--json: wimpy exec has no outputs to print']);
  });

  test('takes the command and the flags in any order', () => {
    const first = parseArgv(['plan', '--application-name', 'shop', '--json']);
    const middle = parseArgv(['--application-name', 'shop', 'plan', '--json']);
    const last = parseArgv(['--json', '--application-name', 'shop', 'plan']);
    assert.deepEqual(middle, first);
    assert.deepEqual(last, first);
    assert.equal(first.kind === 'run' && first.json, true);
  });

  test('keeps --version as the release input, and gives the tool its own version with wimpy version or -V', () => {
    assert.deepEqual(parseArgv(['rollback', '--version', 'v1.4.2']), { kind: 'run', command: 'rollback', json: false, follow: false, rest: [], inputs: { command: 'rollback', version: 'v1.4.2' } });
    assert.deepEqual(parseArgv(['version']), { kind: 'version' });
    assert.deepEqual(parseArgv(['-V']), { kind: 'version' });
  });

  test('refuses a flag that is not an input, naming it', () => {
    const args = parseArgv(['plan', '--app=shop']);
    assert.equal(args.kind, 'usage');
    assert.deepEqual(args.kind === 'usage' && args.problems, ["--app is not a flag: the flags are the action's inputs, listed by wimpy help <command>"]);
  });

  test('refuses a flag without its value, and a flag where its value should be', () => {
    assert.deepEqual(parseArgv(['plan', '--hosted-zone']), { kind: 'usage', command: 'plan', problems: ['--hosted-zone needs a value'] });
    const swallowed = parseArgv(['plan', '--hosted-zone', '--strategy', 'blue-green']);
    assert.equal(swallowed.kind === 'usage' && swallowed.problems[0], '--hosted-zone needs a value (write --hosted-zone=--strategy if that is the value)');
  });

  test('refuses --command: the command is a word, so wimpy plan --command deploy cannot deploy', () => {
    const args = parseArgv(['plan', '--command', 'deploy']);
    assert.equal(args.kind, 'usage');
    assert.match(args.kind === 'usage' ? args.problems.join('\n') : '', /--command is not a flag in a terminal/);
  });

  test('refuses secrets as flags and names the environment variable to use', () => {
    for (const [flag, variable] of [['--registry-password', 'REGISTRY_PASSWORD'], ['--github-token', 'GITHUB_TOKEN']] as const) {
      const args = parseArgv(['deploy', `${flag}=hunter2`]);
      assert.equal(args.kind, 'usage', flag);
      const text = args.kind === 'usage' ? args.problems.join('\n') : '';
      assert.match(text, new RegExp(`${flag} is a secret.*set ${variable} in the environment`));
      assert.doesNotMatch(text, /hunter2/);
    }
  });

  test('refuses an unknown command, and names the commands', () => {
    const args = parseArgv(['deplo', '--application-name', 'shop']);
    assert.deepEqual(args, { kind: 'usage', problems: [`deplo is not a command: give one of ${COMMANDS.join(', ')}`] });
  });

  test('refuses a second word, naming the command it understood', () => {
    const args = parseArgv(['plan', 'deploy']);
    assert.deepEqual(args, { kind: 'usage', command: 'plan', problems: ['deploy is not understood: wimpy takes one command (plan was given); values follow their --flag'] });
  });

  test('refuses a flag the command does not read', () => {
    const args = parseArgv(['rollback', '--dockerfile', 'Dockerfile.prod']);
    assert.deepEqual(args, { kind: 'usage', command: 'rollback', problems: ['--dockerfile is not a flag of wimpy rollback: see wimpy help rollback'] });
  });

  test('refuses a flag given twice', () => {
    const args = parseArgv(['plan', '--environment', 'staging', '--environment=production']);
    assert.deepEqual(args, { kind: 'usage', command: 'plan', problems: ['--environment is given twice'] });
  });

  test('asks for a command when there is none', () => {
    assert.deepEqual(parseArgv(['--application-name', 'shop']), { kind: 'usage', problems: [`no command: give one of ${COMMANDS.join(', ')}`] });
  });

  test('gives help for one command as wimpy help <command> and wimpy <command> --help or -h', () => {
    assert.deepEqual(parseArgv(['help', 'rollback']), { kind: 'help', command: 'rollback' });
    assert.deepEqual(parseArgv(['rollback', '--help']), { kind: 'help', command: 'rollback' });
    assert.deepEqual(parseArgv(['-h', 'rollback']), { kind: 'help', command: 'rollback' });
    assert.deepEqual(parseArgv(['help']), { kind: 'help' });
  });
});

describe('the terminal help', () => {
  test("lists a command's own flags and no other", () => {
    const rollback = commandUsage('rollback');
    assert.match(rollback, /--version /);
    assert.match(rollback, /--keep-releases /);
    assert.doesNotMatch(rollback, /--dockerfile/);
    assert.doesNotMatch(rollback, /--destroy-environment/);
    assert.match(commandUsage('destroy'), /--destroy-environment/);
    assert.match(commandUsage('deploy'), /--dockerfile /);
  });

  test('lists every input that is not a secret in the help of the commands that read it', () => {
    for (const input of INPUTS.filter((i) => i.name !== 'command' && !i.secret)) {
      const commands = input.commands ?? COMMANDS;
      for (const command of commands) assert.ok(commandUsage(command as (typeof COMMANDS)[number]).includes(`--${input.name} `), `${command} --${input.name}`);
    }
  });

  test('shows no workflow expression as a default and offers no secret as a flag', () => {
    for (const text of [usage(), ...COMMANDS.map(commandUsage)]) {
      assert.doesNotMatch(text, /\$\{\{/);
      assert.doesNotMatch(text, /--github-token |--registry-password /);
      assert.match(text, /GITHUB_TOKEN/);
      assert.match(text, /REGISTRY_PASSWORD/);
    }
  });

  test('lists every command with its summary, and says what --version means', () => {
    const text = usage();
    for (const command of COMMANDS) assert.match(text, new RegExp(`^  ${command} `, 'm'));
    assert.match(text, /--version is the release/);
  });
});
