import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkWorkflow, projectWorkflows, readmeWorkflows } from '../../scripts/check-workflows.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README's rollback example as it was once published: GitHub could not load it. */
const UNQUOTED_COLON = `name: rollback
on:
  workflow_dispatch:
    inputs:
      version:
        description: Version to return to (empty: the last good release)
jobs: {}
`;

const deployJob = (extra: string, checkout = '') => `name: deploy
on: push
permissions: { id-token: write, contents: read }
jobs:
  deploy:
    runs-on: ubuntu-latest${extra}
    steps:${checkout}
      - uses: wimpy/deploy-action@v1
        with:
          application-name: shop
          hosted-zone: example.com
          environment: production
`;

describe('the workflows users copy from the README, and the project’s own', () => {
  const sources = [...projectWorkflows(), ...readmeWorkflows(README)];

  test('are found: every workflow file and every yaml block of the README', () => {
    assert.ok(sources.some((source) => source.where.startsWith('.github/workflows/')));
    assert.equal(sources.filter((source) => source.where.startsWith('README.md')).length, (README.match(/^```yaml$/gm) ?? []).length);
  });

  for (const source of sources) {
    test(`${source.where} loads, passes actionlint and follows the hardening guide`, async () => {
      assert.deepEqual(await checkWorkflow(source), []);
    });
  }
});

describe('the workflow check', () => {
  test('fails a workflow GitHub cannot parse as YAML', async () => {
    const problems = await checkWorkflow({ where: 'rollback', text: UNQUOTED_COLON });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^rollback: not valid YAML/);
  });

  test('fails what actionlint finds: an unknown context property', async () => {
    const text = deployJob('', '\n      - run: echo "${{ github.nothing }}"');
    const problems = await checkWorkflow({ where: 'w', text: text.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    environment: production\n    concurrency: deploy-production') });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /property "nothing" is not defined/);
  });

  test('fails an action pinned by tag, and a SHA without its version in a comment', async () => {
    const problems = await checkWorkflow({
      where: 'w',
      text: deployJob('\n    environment: production\n    concurrency: deploy-production', '\n      - uses: aws-actions/configure-aws-credentials@v5\n        with: { aws-region: eu-west-1 }\n      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444'),
    });
    assert.deepEqual(problems, [
      'w: aws-actions/configure-aws-credentials@v5 is not pinned by a full commit SHA',
      'w: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444 has no "# vX.Y.Z" comment naming its version',
    ]);
  });

  test('fails a checkout that keeps its credentials, a production job without its environment, and a deploy without a concurrency group', async () => {
    const problems = await checkWorkflow({ where: 'w', text: deployJob('', '\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0') });
    assert.deepEqual(problems, [
      'w: job deploy: actions/checkout keeps the token in .git/config; set persist-credentials: false',
      'w: job deploy changes an environment without a concurrency group: two runs could change it at once',
      'w: job deploy changes production without environment: production, so its protection rules do not apply',
    ]);
  });
});
