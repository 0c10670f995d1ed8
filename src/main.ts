import * as core from '@actions/core';
import * as github from '@actions/github';
import { INPUTS } from './config/inputs.js';
import { ConfigurationError, readConfig } from './config/read-config.js';
import { intentOf, readEvent } from './config/event.js';
import { actionsLog } from './github/log.js';
import { githubTokenInput } from './github/token.js';
import { runEngine } from './wiring.js';

/**
 * The action's entry: read the run, call the engine, report. Everything it does is also
 * reachable from a terminal through cli.ts.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Secrets are masked the moment they are read, before anything could print them.
  for (const input of INPUTS) {
    const value = core.getInput(input.name);
    if (input.secret && value !== '') core.setSecret(value);
  }
  const context = github.context;
  const event = readEvent(context.eventName ?? '', context.payload, context.sha ?? '', context.ref ?? '');
  const intent = intentOf(event);
  let config;
  try {
    // Untrimmed: a multi-line value keeps the spaces of its last line; single values are trimmed by readConfig.
    config = readConfig((name) => core.getInput(name, { trimWhitespace: false }), { sha: event.sha, intent });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      for (const problem of error.errors) core.error(`${problem.input}: ${problem.message}`, { title: `Input ${problem.input}` });
      core.setFailed(error.message);
      return;
    }
    throw error;
  }

  if (config.command === 'exec') {
    core.setFailed('command: exec opens an interactive session, which a workflow cannot hold: run wimpy exec in a terminal.');
    return;
  }

  // The runner cancels with SIGINT, then SIGTERM: stop polling, end cleanly, say what was left.
  const cancel = new AbortController();
  const onSignal = (signal: string) => () => {
    core.warning(`Received ${signal}: stopping after the current request; CloudFormation may go on with an operation already started.`);
    cancel.abort();
  };
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));

  const repository = env.GITHUB_REPOSITORY;
  const runUrl = repository && env.GITHUB_RUN_ID ? `${context.serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const outcome = await runEngine(config, {
    env,
    log: actionsLog,
    intent,
    sha: event.sha,
    ...(runUrl ? { runUrl } : {}),
    ...(repository ? { repository } : {}),
    serverUrl: context.serverUrl,
    githubToken: githubTokenInput(),
    mask: (secret) => core.setSecret(secret),
    signal: cancel.signal,
  });
  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
  if (outcome.failure) core.setFailed(outcome.failure);
}
