#!/usr/bin/env node
/**
 * Extracts, from GitHub's official OpenAPI description (the npm package @octokit/openapi, far
 * too big to install in CI), only the operations this action sends, with every `$ref` resolved,
 * into test/fixtures/github-openapi-subset.json. The GitHub stand-in of the tests validates
 * each request against that file.
 *
 * Usage: install, in a scratch folder, the version that @octokit/openapi-types was generated
 * from (its package.json says so in `octokit.openapi-version`), then point this script at it:
 *   npm install --prefix "$(mktemp -d)" @octokit/openapi@<that version>
 *   node scripts/extract-github-openapi.mjs <that folder>/node_modules/@octokit/openapi
 *
 * A new call in src/github needs its route added to ROUTES and this script run again; a unit
 * test fails until then.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROUTES = [
  'GET /user',
  'GET /repos/{owner}/{repo}/deployments',
  'POST /repos/{owner}/{repo}/deployments',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
];

// Only what validation needs: descriptions, examples and the like would make the file huge.
const KEPT_KEYS = new Set([
  'type', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'oneOf', 'anyOf', 'allOf',
  'nullable', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern',
]);

function resolveRef(spec, ref) {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  return ref.slice(2).split('/').reduce((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
}

/** Inlines every $ref; a reference to a schema already being expanded (a cycle) becomes `{}`. */
function inline(spec, node, seen = []) {
  if (Array.isArray(node)) return node.map((item) => inline(spec, item, seen));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    if (seen.includes(node.$ref)) return {};
    return inline(spec, resolveRef(spec, node.$ref), [...seen, node.$ref]);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(spec, value, seen)]));
}

/** Keeps the validation keywords of a schema (and of every schema nested in it). */
function prune(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEPT_KEYS.has(key)) continue;
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, prune(sub)]));
    else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) out[key] = prune(value);
    else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') out[key] = value.map(prune);
    else out[key] = value;
  }
  return out;
}

function jsonSchemaOf(content) {
  const json = content?.['application/json'];
  return json?.schema ? prune(json.schema) : undefined;
}

export function extract(spec, routes = ROUTES) {
  return routes.map((route) => {
    const [method, path] = route.split(' ');
    const item = spec.paths[path];
    const raw = item?.[method.toLowerCase()];
    if (!raw) throw new Error(`${route} is not in the OpenAPI description`);
    const operation = inline(spec, raw);
    const shared = inline(spec, item.parameters ?? []);
    const parameters = [...shared, ...(operation.parameters ?? [])].map((parameter) => ({
      name: parameter.name,
      in: parameter.in,
      required: parameter.required === true,
      schema: prune(parameter.schema ?? {}),
    }));
    const responses = Object.fromEntries(
      Object.entries(operation.responses ?? {})
        .filter(([status]) => status.startsWith('2'))
        .map(([status, response]) => [status, jsonSchemaOf(response.content) ?? null]),
    );
    return {
      operationId: operation.operationId,
      method,
      path,
      parameters,
      ...(operation.requestBody
        ? { requestBody: { required: operation.requestBody.required === true, schema: jsonSchemaOf(operation.requestBody.content) } }
        : {}),
      responses,
    };
  });
}

function main() {
  const packageDir = process.argv[2];
  if (!packageDir) {
    console.error('usage: node scripts/extract-github-openapi.mjs <folder of the @octokit/openapi package>');
    process.exit(2);
  }
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const spec = JSON.parse(readFileSync(join(packageDir, 'generated', 'api.github.com.json'), 'utf8'));
  const subset = {
    source: `${pkg.name}@${pkg.version}, generated/api.github.com.json (OpenAPI ${spec.openapi}), MIT licence`,
    generatedBy: 'scripts/extract-github-openapi.mjs',
    note: 'Only the operations the action sends, $refs inlined, validation keywords kept. Regenerate; do not edit.',
    operations: extract(spec),
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const types = JSON.parse(readFileSync(join(root, 'node_modules', '@octokit', 'openapi-types', 'package.json'), 'utf8'));
  if (types.octokit?.['openapi-version'] !== pkg.version) {
    console.warn(`warning: @octokit/openapi-types ${types.version} was generated from @octokit/openapi ${types.octokit?.['openapi-version']}, not ${pkg.version}`);
  }
  const target = join(root, 'test', 'fixtures', 'github-openapi-subset.json');
  writeFileSync(target, `${JSON.stringify(subset, null, 1)}\n`);
  console.log(`wrote ${subset.operations.length} operations from ${pkg.name}@${pkg.version}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
