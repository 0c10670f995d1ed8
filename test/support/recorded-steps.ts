import assert from 'node:assert/strict';
import type { AwsProxy, ProxiedCall } from './aws-proxy.js';
import { deployInputs } from './emulator.js';
import { runAction, type ActionRun } from './run-action.js';

/** A change of traffic on the load balancer: a hostname's rule created or its weights changed. */
export const ruleChange = (call: ProxiedCall) => /^elasticloadbalancing:(CreateRule|ModifyRule)$/.test(call.api);

/**
 * Runs of the action through the counting proxy, one named step after another, each kept with
 * the AWS calls it made, so a test can say in what order a step did things. A step that fails
 * stops the test with the run's output. `proxy` is read at each step: tests start it in `before`.
 */
export function recordedSteps(proxy: () => AwsProxy, base: Record<string, string>) {
  const runs = new Map<string, { run: ActionRun; calls: readonly ProxiedCall[] }>();
  async function step(name: string, inputs: Record<string, string>): Promise<ActionRun> {
    proxy().resetStats();
    const run = await runAction({ awsEndpoint: proxy().url, inputs: deployInputs({ ...base, ...inputs }) });
    runs.set(name, { run, calls: proxy().calls() });
    assert.equal(run.exitCode, 0, `${name}: ${run.stdout}${run.stderr}`);
    return run;
  }
  return { runs, step };
}
