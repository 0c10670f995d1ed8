import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planRun } from '../../src/engine/plan.js';
import { planMarkdown, planText } from '../../src/report/plan.js';
import { configOf } from '../support/config.js';

describe('the plan', () => {
  test('lists the stacks by name in the order they are applied: each after the stacks it imports from', () => {
    const plan = planRun(configOf());
    assert.deepEqual(plan.stacks.map((stack) => [stack.wave, stack.name, stack.dependsOn]), [
      [1, 'wimpy-base', []],
      [2, 'wimpy-staging', ['wimpy-base']],
      [3, 'awesome-application-staging-load-balancer', ['wimpy-base', 'wimpy-staging']],
      [4, 'awesome-application-staging-resources', ['wimpy-base', 'wimpy-staging', 'awesome-application-staging-load-balancer']],
      [5, 'awesome-application-staging', ['wimpy-base', 'wimpy-staging', 'awesome-application-staging-load-balancer', 'awesome-application-staging-resources']],
    ]);
  });

  test('gives the hostnames and, for blue-green, the pinned URL of the release', () => {
    const plan = planRun(configOf({ strategy: 'blue-green', environment: 'production', version: 'v142' }));
    assert.equal(plan.url, 'https://awesome-application.armesto.net');
    assert.equal(plan.pinnedUrl, 'https://awesome-application-production-v142.armesto.net');
  });

  test('lists the domains and the redirects beside the main hostname, with what each does', () => {
    const plan = planRun(configOf({ environment: 'production', domains: 'example.com', 'redirect-domains': 'www.example.com' }));
    assert.deepEqual(plan.hostnames.map((host) => `${host.hostname}: ${host.state}`), [
      'awesome-application.armesto.net: serves the releases',
      'example.com: serves what awesome-application.armesto.net serves (alias record in its zone, checked at deploy)',
      'www.example.com: 301 to https://example.com (alias record in its zone, checked at deploy)',
    ]);
    assert.match(planText(plan, false), /Hostnames:\n {2}awesome-application\.armesto\.net +serves the releases\n {2}example\.com +serves what/);
    assert.match(planMarkdown(plan), /\| <code>www\.example\.com<\/code> \| 301 to https:\/\/example\.com/);
  });

  test("says how a preview's processes are bought: on Spot unless preview-capacity says on-demand", () => {
    const preview = (capacity: string) => planRun(configOf({ processes: 'worker=celery -A shop worker', 'preview-capacity': capacity }, { sha: 'a'.repeat(40), intent: { kind: 'preview-deploy', pullRequest: 7 } }));
    assert.equal(preview('spot').processes?.[0]?.size, '1 × t3.micro, Spot');
    assert.equal(preview('on-demand').processes?.[0]?.size, '1 × t3.micro');
  });

  test('lists the processes besides web with their command, their instances and their health rule', () => {
    const plan = planRun(configOf({
      strategy: 'blue-green',
      processes: 'worker=celery -A shop worker\nmailer=python -m mailer',
      'processes-sizes': 'worker=2-4 c7i.large',
      'processes-health': 'worker=celery -A shop inspect ping',
      'processes-grace-seconds': '45',
    }));
    assert.deepEqual(plan.processes, [
      { name: 'worker', command: 'celery -A shop worker', size: '2-4 × c7i.large, scaling on 70% CPU', health: 'its container up 45 s, then `celery -A shop inspect ping` exits 0' },
      { name: 'mailer', command: 'python -m mailer', size: '1 × t3.small', health: 'its container up 45 s' },
    ]);
    assert.ok(plan.traffic.some((step) => step.startsWith('then worker, mailer of the releases without traffic go to zero instances')));
    assert.match(planText(plan, false), /Processes besides web[^\n]*\n {2}worker +celery -A shop worker\n +2-4 × c7i\.large, scaling on 70% CPU; healthy once its container up 45 s/);
    assert.match(planMarkdown(plan), /\| <code>mailer<\/code> \| <code>python -m mailer<\/code> \| 1 × t3\.small \| its container up 45 s \|/);
    assert.equal(planRun(configOf()).processes, undefined, 'no processes, no section');
  });

  test("shows the strategy's steps: each canary step with its share", () => {
    const plan = planRun(configOf({ strategy: 'blue-green', 'canary-steps': '10,50' }));
    assert.ok(plan.traffic.some((step) => step.startsWith('10% of awesome-application-staging.armesto.net')));
    assert.ok(plan.traffic.some((step) => step.includes('stop at 50%: a canary until command promote or rollback')));
  });

  test('shows every template it would apply', () => {
    const text = planText(planRun(configOf()));
    for (const stack of ['wimpy-base', 'wimpy-staging', 'awesome-application-staging-load-balancer', 'awesome-application-staging-resources', 'awesome-application-staging']) {
      assert.match(text, new RegExp(`--- template of ${stack}\\n\\{\\n  "AWSTemplateFormatVersion"`));
    }
  });

  test('leaves out the phases that steps leaves out', () => {
    assert.deepEqual(planRun(configOf({ steps: 'deploy' })).stacks.map((stack) => stack.name), ['awesome-application-staging']);
  });

  test('names the image it would deploy and says it is pinned by digest', () => {
    assert.match(planRun(configOf({ version: 'v1.4.2' })).image, /awesome-application:v1\.4\.2 \(deployed by digest\)$/);
    assert.equal(planRun(configOf({ image: 'ghcr.io/org/app:v1' })).image, 'ghcr.io/org/app:v1');
  });

  test('in a job summary, escapes what it shows and folds the templates', () => {
    const markdown = planMarkdown(planRun(configOf({ strategy: 'blue-green', 'alarm-names': '<b>errors</b>' })));
    assert.doesNotMatch(markdown, /<b>/);
    assert.match(markdown, /<details><summary>Template of <code>wimpy-base<\/code><\/summary>/);
  });
});
