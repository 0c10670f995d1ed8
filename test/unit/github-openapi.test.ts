import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createOctokit, type Octokit } from '../../src/github/client.js';
import { checkRequest, loadOpenApiSubset, repositoryFile, routeOf, startGitHubStandIn, validate, type GitHubStandIn, type Schema } from '../support/github-stand-in.js';

const subset = loadOpenApiSubset();
const json = 'application/json';
const none = new URLSearchParams();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every REST route the product's sources call, through octokit.rest.* or octokit.request. */
function routesTheProductSends(octokit: Octokit): string[] {
  const root = dirname(repositoryFile('tsconfig.json'));
  const routes = new Set<string>();
  for (const file of sources(join(root, 'src'))) {
    const source = readFileSync(file, 'utf8');
    for (const [, scope, method] of source.matchAll(/\brest\.(\w+)\.(\w+)\b/g)) {
      const endpoint = (octokit.rest as unknown as Record<string, Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>>)[scope ?? '']?.[method ?? '']?.endpoint.DEFAULTS;
      assert.ok(endpoint, `${file} calls rest.${scope}.${method}, which octokit does not know`);
      routes.add(`${endpoint.method} ${endpoint.url}`);
    }
    for (const [, route] of source.matchAll(/\.request\(\s*['"`]([A-Z]+ \/[^'"`]*)['"`]/g)) routes.add(route ?? '');
  }
  return [...routes].sort();
}

describe("GitHub's OpenAPI description, as the tests hold it", () => {
  test('names the package and version it was extracted from, the one @octokit/openapi-types was generated from', () => {
    const types = JSON.parse(readFileSync(repositoryFile('node_modules', '@octokit', 'openapi-types', 'package.json'), 'utf8')) as { octokit: { 'openapi-version': string } };
    assert.match(subset.source, /^@octokit\/openapi@\d+\.\d+\.\d+, generated\/api\.github\.com\.json/);
    assert.ok(subset.source.startsWith(`@octokit/openapi@${types.octokit['openapi-version']},`));
  });

  test('holds exactly the operations the product calls, so a new call without its schema fails here', () => {
    const octokit = createOctokit('unused', { baseUrl: 'http://127.0.0.1:9' });
    assert.deepEqual(routesTheProductSends(octokit), subset.operations.map(routeOf).sort());
  });
});

describe('the OpenAPI 3.0 schemas of GitHub’s description, checked by ajv', () => {
  const user: Schema = { type: 'object', required: ['login'], properties: { login: { type: 'string' } } };

  test('null passes where a schema is nullable, typed or not, and nowhere else', () => {
    assert.deepEqual(validate({ type: 'string', nullable: true }, null, 'v', false), []);
    assert.deepEqual(validate({ allOf: [user], nullable: true }, null, 'v', false), []);
    assert.deepEqual(validate({ type: 'string', enum: ['a', 'b'], nullable: true }, null, 'v', false), []);
    assert.deepEqual(validate({ type: 'string' }, null, 'v', false), ['v: expected string, got null']);
  });

  test('oneOf takes exactly one of its schemas, anyOf at least one', () => {
    const oneOf: Schema = { oneOf: [{ type: 'integer' }, { type: 'number' }] };
    assert.notDeepEqual(validate(oneOf, 'x', 'v', false), []);
    assert.deepEqual(validate(oneOf, 1.5, 'v', false), []);
    assert.notDeepEqual(validate(oneOf, 2, 'v', false), [], '2 is an integer and a number: two of oneOf');
    const anyOf: Schema = { anyOf: [{ type: 'string' }, user] };
    assert.deepEqual(validate(anyOf, 'octocat', 'v', false), []);
    assert.deepEqual(validate(anyOf, { login: 'octocat' }, 'v', false), []);
    assert.notDeepEqual(validate(anyOf, 7, 'v', false), []);
  });

  test('a request may not carry a property its object does not declare; an answer may', () => {
    assert.deepEqual(validate(user, { login: 'octocat', site_admin: false }, 'body', true), ['body.site_admin: not a property GitHub defines']);
    assert.deepEqual(validate(user, { login: 'octocat', site_admin: false }, 'body', false), []);
  });
});

describe('the request validator', () => {
  const statuses = (body: unknown) => checkRequest(subset, 'POST', '/repos/o/r/deployments/7/statuses', none, body, json).violations;

  test('accepts a request as GitHub defines it', () => {
    assert.deepEqual(statuses({ state: 'success', environment_url: 'https://a.example', log_url: 'https://l.example', auto_inactive: true }), []);
  });

  test('rejects a value outside an enum', () => {
    assert.deepEqual(statuses({ state: 'succeeded' }), [
      'repos/create-deployment-status body.state: "succeeded" is not one of "error", "failure", "inactive", "in_progress", "queued", "pending", "success"',
    ]);
  });

  test('rejects a missing required field, a wrong type and a property GitHub does not define', () => {
    assert.deepEqual(checkRequest(subset, 'POST', '/repos/o/r/deployments', none, { auto_merge: 'false', enviroment: 'pr-2' }, json).violations, [
      'repos/create-deployment body.ref: required',
      'repos/create-deployment body.auto_merge: expected boolean, got string',
      'repos/create-deployment body.enviroment: not a property GitHub defines',
    ]);
  });

  test('rejects a path parameter of the wrong type, an unknown query parameter and an unknown route', () => {
    assert.deepEqual(checkRequest(subset, 'PATCH', '/repos/o/r/issues/comments/abc', none, { body: 'x' }, json).violations, ['issues/update-comment path.comment_id: expected integer, got string']);
    assert.deepEqual(checkRequest(subset, 'GET', '/repos/o/r/deployments', new URLSearchParams({ environment: 'pr-2', state: 'active' }), undefined, undefined).violations, ['repos/list-deployments query.state: not a parameter of repos/list-deployments']);
    assert.deepEqual(checkRequest(subset, 'DELETE', '/repos/o/r/deployments/7', none, undefined, undefined).violations, ["DELETE /repos/o/r/deployments/7: no such operation in GitHub's description"]);
  });

  describe('in the stand-in', () => {
    let standIn: GitHubStandIn;
    before(async () => {
      standIn = await startGitHubStandIn();
    });
    after(() => standIn.close());

    test('answers a request with a bad enum 422, as GitHub does, and records the violation', async () => {
      const octokit = createOctokit(standIn.token, { baseUrl: standIn.url, secondMs: 1 });
      const { data } = await octokit.rest.repos.createDeployment({ owner: standIn.owner, repo: standIn.repo, ref: 'main', auto_merge: false, required_contexts: [] });
      assert.ok('id' in data);
      // The types refuse 'deployed'; the cast stands for a mistake that slipped past them.
      await assert.rejects(
        octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner: standIn.owner, repo: standIn.repo, deployment_id: data.id, state: 'deployed' as 'success' }),
        (error: { status?: number }) => error.status === 422,
      );
      assert.equal(standIn.violations.length, 1);
      assert.match(standIn.violations[0] ?? '', /body\.state: "deployed" is not one of/);
      assert.deepEqual(standIn.standInErrors, []);
    });
  });
});
