import * as core from '@actions/core';

export const UNEXPANDED_TOKEN_WARNING =
  "github-token is a workflow expression that was never expanded, not a token: local runners such as @github/local-action pass action.yml's default through as written. Running without GitHub deployments, statuses or comments; give a real token as the github-token input to have them.";

/**
 * The github-token input, or '' when there is no usable token. A workflow expression that
 * reached the action unexpanded is no token: sending it would fail later with a 401 that
 * explains nothing, so it is refused here with the reason.
 */
export function usableToken(value: string, warn: (message: string) => void): string {
  if (!/\$\{\{[\s\S]*\}\}/.test(value)) return value;
  warn(UNEXPANDED_TOKEN_WARNING);
  return '';
}

/** The github-token input of this step, read once through usableToken. */
export function githubTokenInput(warn: (message: string) => void = core.warning): string {
  return usableToken(core.getInput('github-token'), warn);
}
