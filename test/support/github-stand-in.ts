/**
 * A local stand-in for GitHub's REST API: the few endpoints the action calls, on 127.0.0.1,
 * with deployments, statuses and comments kept in memory. Every request is recorded and
 * checked against GitHub's OpenAPI description (test/fixtures/github-openapi-subset.json):
 * the operation exists, path and query parameters and the JSON body have the declared types,
 * required fields and enum values, and the body has no property GitHub does not define. The
 * stand-in's own answers are checked against the declared responses too, so that it cannot
 * drift from what GitHub returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { components } from '@octokit/openapi-types';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface Schema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: Schema;
}

export interface Operation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly requestBody?: { readonly required: boolean; readonly schema?: Schema };
  readonly responses: Readonly<Record<string, Schema | null>>;
}

export interface OpenApiSubset {
  readonly source: string;
  readonly operations: readonly Operation[];
}

/** A file of this repository, found by walking up so that the compiled copy under lib/ finds it too. */
export function repositoryFile(...parts: string[]): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, ...parts);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${parts.join('/')} not found`);
  }
}

export function loadOpenApiSubset(): OpenApiSubset {
  return JSON.parse(readFileSync(repositoryFile('test', 'fixtures', 'github-openapi-subset.json'), 'utf8')) as OpenApiSubset;
}

// ---------------------------------------------------------------------------------------------
// Validation: the part of JSON Schema (OpenAPI 3.0 dialect) that GitHub's description uses.

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * An OpenAPI 3.0 schema as JSON Schema, the dialect ajv checks: `nullable` becomes a type that
 * admits null (or, on a schema without a type, an alternative of null). `strict` (requests)
 * also closes every object that declares its properties: GitHub ignores others, so a misspelt
 * field would pass unnoticed.
 */
function jsonSchema(schema: Schema, strict: boolean): Record<string, unknown> {
  const { nullable, properties, additionalProperties, items, oneOf, anyOf, allOf, ...rest } = schema;
  const converted: Record<string, unknown> = { ...rest };
  const each = (list: readonly Schema[]) => list.map((sub) => jsonSchema(sub, strict));
  if (properties) converted.properties = Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, jsonSchema(sub, strict)]));
  if (typeof additionalProperties === 'object') converted.additionalProperties = jsonSchema(additionalProperties, strict);
  else if (additionalProperties !== undefined) converted.additionalProperties = additionalProperties;
  else if (strict && properties) converted.additionalProperties = false;
  if (items) converted.items = jsonSchema(items, strict);
  if (oneOf) converted.oneOf = each(oneOf);
  if (anyOf) converted.anyOf = each(anyOf);
  if (allOf) converted.allOf = each(allOf);
  if (!nullable) return converted;
  if (typeof schema.type === 'string') return { ...converted, type: [schema.type, 'null'], ...(schema.enum ? { enum: [...schema.enum, null] } : {}) };
  return { anyOf: [converted, { type: 'null' }] };
}

// GitHub's description names formats (date-time, uri) that it does not promise to check: neither does the stand-in.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false });
const compiled = new Map<boolean, WeakMap<Schema, ValidateFunction>>([[true, new WeakMap()], [false, new WeakMap()]]);

function validatorOf(schema: Schema, strict: boolean): ValidateFunction {
  const cache = compiled.get(strict)!;
  let validator = cache.get(schema);
  if (!validator) cache.set(schema, (validator = ajv.compile(jsonSchema(schema, strict))));
  return validator;
}

/** Violations in the order a person fixes them: what is missing, what is wrong, what is extra. */
const ORDER = ['required', 'type', 'enum', 'additionalProperties'];
const rank = (error: ErrorObject) => (ORDER.includes(error.keyword) ? ORDER.indexOf(error.keyword) : ORDER.length);

/** One of ajv's errors, said as the stand-in says it: where, then what. */
function sentence(error: ErrorObject, at: string): string {
  const where = `${at}${error.instancePath.split('/').slice(1).map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('')}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where}.${String(params.missingProperty)}: required`;
    case 'additionalProperties':
      return `${where}.${String(params.additionalProperty)}: not a property GitHub defines`;
    case 'type':
      return `${where}: expected ${String(params.type).replace(',null', '')}, got ${typeOf(error.data)}`;
    case 'enum':
      return `${where}: ${JSON.stringify(error.data)} is not one of ${(params.allowedValues as unknown[]).filter((value) => value !== null).map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return `${where}: ${error.message ?? error.keyword}`;
  }
}

/**
 * The errors of `value` against `schema`, checked by ajv. `strict` (requests) also rejects
 * properties the schema does not declare.
 */
export function validate(schema: Schema | null | undefined, value: unknown, at: string, strict: boolean): string[] {
  if (!schema) return [];
  const validator = validatorOf(schema, strict);
  if (validator(value)) return [];
  return [...(validator.errors ?? [])].sort((a, b) => rank(a) - rank(b)).map((error) => sentence(error, at));
}

/** Parameters arrive as text: read them as the type their schema declares, then validate. */
function validateText(schema: Schema, raw: string, at: string): string[] {
  const looksNumeric = /^-?\d+(\.\d+)?$/.test(raw);
  const value =
    (schema.type === 'integer' || schema.type === 'number') && looksNumeric ? Number(raw)
    : schema.type === 'boolean' && (raw === 'true' || raw === 'false') ? raw === 'true'
    : raw;
  return validate(schema, value, at, true);
}

export function routeOf(operation: Pick<Operation, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}

interface Match {
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string>>;
}

function matcher(operation: Operation): (method: string, path: string) => Match | undefined {
  const names: string[] = [];
  const pattern = new RegExp(`^${operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => { names.push(name); return '([^/]+)'; })}$`);
  return (method, path) => {
    if (method !== operation.method) return undefined;
    const found = pattern.exec(path);
    if (!found) return undefined;
    return { operation, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')])) };
  };
}

/** Checks one request against its operation; returns the operation found and every violation. */
export function checkRequest(
  subset: OpenApiSubset,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
  contentType: string | undefined,
): { match?: Match; violations: string[] } {
  const match = subset.operations.map(matcher).map((m) => m(method, path)).find((m) => m !== undefined);
  if (!match) return { violations: [`${method} ${path}: no such operation in GitHub's description`] };
  const { operation } = match;
  const violations: string[] = [];
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
    violations.push(...validateText(parameter.schema, match.params[parameter.name] ?? '', `path.${parameter.name}`));
  }
  const declared = new Map(operation.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, raw] of query) {
    const parameter = declared.get(name);
    if (!parameter) violations.push(`query.${name}: not a parameter of ${operation.operationId}`);
    else violations.push(...validateText(parameter.schema, raw, `query.${name}`));
  }
  for (const parameter of declared.values()) {
    if (parameter.required && !query.has(parameter.name)) violations.push(`query.${parameter.name}: required`);
  }
  if (operation.requestBody) {
    if (body === undefined) {
      if (operation.requestBody.required) violations.push('body: required');
    } else {
      if (!contentType?.startsWith('application/json')) violations.push(`body: content-type ${contentType ?? 'missing'}, not application/json`);
      violations.push(...validate(operation.requestBody.schema, body, 'body', true));
    }
  } else if (body !== undefined) {
    violations.push(`body: ${operation.operationId} takes no body`);
  }
  return { match, violations: violations.map((v) => `${operation.operationId} ${v}`) };
}

// ---------------------------------------------------------------------------------------------
// The stand-in's state and answers.

type Deployment = components['schemas']['deployment'];
type DeploymentStatus = components['schemas']['deployment-status'];
type IssueComment = components['schemas']['issue-comment'];
type SimpleUser = components['schemas']['simple-user'];

export interface Account {
  readonly login: string;
  readonly type: 'User' | 'Bot';
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly operationId?: string;
  readonly status: number;
  readonly violations: readonly string[];
}

export interface Fault {
  readonly operationId: string;
  readonly status: number;
  readonly message?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** How many requests fail; default: all of them. */
  readonly times?: number;
}

export interface StandInOptions {
  /** The token the action must present; any other gets 401. */
  readonly token?: string;
  /** Whom the token belongs to. Default: github-actions[bot], as for GITHUB_TOKEN. */
  readonly account?: Account;
  /** GET /user answers only for a person's token; GITHUB_TOKEN gets 403. Default: for users. */
  readonly canReadUser?: boolean;
}

export interface GitHubStandIn {
  /** The base URL to give octokit (what GITHUB_API_URL would be). */
  readonly url: string;
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  readonly requests: RecordedRequest[];
  /** Every way a request of the action broke GitHub's description. */
  readonly violations: string[];
  /** Every way the stand-in's own answers broke GitHub's description: bugs of the stand-in. */
  readonly standInErrors: string[];
  readonly deployments: Deployment[];
  readonly statuses: Map<number, DeploymentStatus[]>;
  readonly comments: Map<number, IssueComment[]>;
  fail(fault: Fault): void;
  /** Adds a comment by someone, as if written on GitHub. */
  seedComment(issueNumber: number, author: Account, body: string): IssueComment;
  /** The state of a deployment's newest status. */
  latestState(deploymentId: number): string | undefined;
  close(): Promise<void>;
}

const EPOCH = Date.parse('2026-01-01T00:00:00Z');

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const subset = loadOpenApiSubset();
  const token = options.token ?? 'ghs_standin';
  const account = options.account ?? { login: 'github-actions[bot]', type: 'Bot' };
  const canReadUser = options.canReadUser ?? account.type === 'User';
  const owner = 'Codertocat';
  const repo = 'Hello-World';
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const standInErrors: string[] = [];
  const deployments: Deployment[] = [];
  const statuses = new Map<number, DeploymentStatus[]>();
  const comments = new Map<number, IssueComment[]>();
  const faults: { fault: Fault; left: number }[] = [];
  let nextId = 1000;
  let clock = EPOCH;
  let base = '';

  const timestamp = () => new Date((clock += 1000)).toISOString();
  const repoUrl = () => `${base}/repos/${owner}/${repo}`;

  function user(who: Account, id: number): SimpleUser {
    const url = `${base}/users/${encodeURIComponent(who.login)}`;
    return {
      login: who.login, id, node_id: `U_${id}`, avatar_url: `https://avatars.example/u/${id}`, gravatar_id: '',
      url, html_url: `https://github.example/${encodeURIComponent(who.login)}`, followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`, gists_url: `${url}/gists{/gist_id}`, starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`, organizations_url: `${url}/orgs`, repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`, received_events_url: `${url}/received_events`, type: who.type, site_admin: false,
    };
  }
  const tokenUser = () => user(account, 41898282);

  function page<T>(items: readonly T[], path: string, query: URLSearchParams): { data: T[]; link?: string } {
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
    const number = Number(query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number) => {
      const q = new URLSearchParams(query);
      q.set('page', String(n));
      return `<${base}${path}?${q.toString()}>`;
    };
    const links = number < last ? [`${at(number + 1)}; rel="next"`, `${at(last)}; rel="last"`] : [];
    return { data: items.slice((number - 1) * perPage, number * perPage), ...(links.length ? { link: links.join(', ') } : {}) };
  }

  function newComment(issueNumber: number, author: Account, body: string, authorId: number): IssueComment {
    const id = nextId++;
    const now = timestamp();
    return {
      id, node_id: `IC_${id}`, url: `${repoUrl()}/issues/comments/${id}`, html_url: `https://github.example/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      body, user: user(author, authorId), created_at: now, updated_at: now, issue_url: `${repoUrl()}/issues/${issueNumber}`,
      author_association: author.type === 'Bot' ? 'NONE' : 'OWNER',
    };
  }

  function latest(deploymentId: number): DeploymentStatus | undefined {
    const list = statuses.get(deploymentId) ?? [];
    return list[list.length - 1];
  }

  function addStatus(deployment: Deployment, body: Record<string, unknown>): DeploymentStatus {
    const id = nextId++;
    const now = timestamp();
    const logUrl = typeof body.log_url === 'string' ? body.log_url : typeof body.target_url === 'string' ? body.target_url : '';
    const status: DeploymentStatus = {
      url: `${deployment.url}/statuses/${id}`, id, node_id: `DES_${id}`, state: body.state as DeploymentStatus['state'],
      creator: tokenUser(), description: typeof body.description === 'string' ? body.description : '',
      environment: typeof body.environment === 'string' ? body.environment : deployment.environment,
      target_url: logUrl, created_at: now, updated_at: now, deployment_url: deployment.url, repository_url: repoUrl(),
      environment_url: typeof body.environment_url === 'string' ? body.environment_url : '', log_url: logUrl,
    };
    statuses.set(Number(deployment.id), [...(statuses.get(Number(deployment.id)) ?? []), status]);
    return status;
  }

  type Answer = { status: number; body: unknown; headers?: Record<string, string> };
  const notFound: Answer = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };

  function answer(match: Match, query: URLSearchParams, body: Record<string, unknown>): Answer {
    const params = match.params;
    switch (match.operation.operationId) {
      case 'users/get-authenticated':
        return canReadUser
          ? { status: 200, body: { ...tokenUser(), name: null, company: null, blog: '', location: null, email: null, hireable: null, bio: null, public_repos: 1, public_gists: 0, followers: 0, following: 0, created_at: new Date(EPOCH).toISOString(), updated_at: new Date(EPOCH).toISOString() } }
          : { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' } };
      case 'repos/create-deployment': {
        const id = nextId++;
        const now = timestamp();
        const environment = typeof body.environment === 'string' ? body.environment : 'production';
        const payload = typeof body.payload === 'string' ? (JSON.parse(body.payload || '{}') as Record<string, unknown>) : ((body.payload as Record<string, unknown>) ?? {});
        const url = `${repoUrl()}/deployments/${id}`;
        const deployment: Deployment = {
          url, id, node_id: `DE_${id}`, sha: String(body.ref), ref: String(body.ref), task: typeof body.task === 'string' ? body.task : 'deploy',
          payload, original_environment: environment, environment, description: typeof body.description === 'string' ? body.description : null,
          creator: tokenUser(), created_at: now, updated_at: now, statuses_url: `${url}/statuses`, repository_url: repoUrl(),
          transient_environment: body.transient_environment === true, production_environment: body.production_environment === true || (body.production_environment === undefined && environment === 'production'),
        };
        deployments.push(deployment);
        return { status: 201, body: deployment };
      }
      case 'repos/list-deployments': {
        const filtered = deployments
          .filter((d) => ['sha', 'ref', 'task', 'environment'].every((key) => !query.has(key) || query.get(key) === String(d[key as keyof Deployment])))
          .reverse(); // newest first, as GitHub lists them
        const { data, link } = page(filtered, `/repos/${owner}/${repo}/deployments`, query);
        return { status: 200, body: data, ...(link ? { headers: { link } } : {}) };
      }
      case 'repos/create-deployment-status': {
        const deployment = deployments.find((d) => Number(d.id) === Number(params.deployment_id));
        if (!deployment) return notFound;
        const created = addStatus(deployment, body);
        // auto_inactive (GitHub's default): earlier successful deployments of the environment become inactive.
        if (created.state === 'success' && body.auto_inactive !== false) {
          for (const earlier of deployments) {
            if (earlier.id !== deployment.id && earlier.environment === deployment.environment && latest(Number(earlier.id))?.state === 'success') {
              addStatus(earlier, { state: 'inactive' });
            }
          }
        }
        return { status: 201, body: created };
      }
      case 'issues/list-comments': {
        const issue = Number(params.issue_number);
        const { data, link } = page(comments.get(issue) ?? [], `/repos/${owner}/${repo}/issues/${issue}/comments`, query);
        return { status: 200, body: data, ...(link ? { headers: { link } } : {}) };
      }
      case 'issues/create-comment': {
        const issue = Number(params.issue_number);
        const created = newComment(issue, account, String(body.body), 41898282);
        comments.set(issue, [...(comments.get(issue) ?? []), created]);
        return { status: 201, body: created };
      }
      case 'issues/update-comment': {
        const id = Number(params.comment_id);
        for (const list of comments.values()) {
          const index = list.findIndex((c) => Number(c.id) === id);
          const found = list[index];
          if (!found) continue;
          if (found.user?.login !== account.login) return { status: 403, body: { message: 'You cannot edit a comment of someone else in this stand-in' } };
          list[index] = { ...found, body: String(body.body), updated_at: timestamp() };
          return { status: 200, body: list[index] };
        }
        return notFound;
      }
      default:
        return notFound;
    }
  }

  async function readBody(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw === '') return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }

  function send(response: ServerResponse, reply: Answer): void {
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    const checked = checkRequest(subset, method, url.pathname, url.searchParams, body, request.headers['content-type']);
    violations.push(...checked.violations);
    const record = (status: number) =>
      requests.push({
        method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, status, violations: checked.violations,
        ...(checked.match ? { operationId: checked.match.operation.operationId } : {}),
      });

    let reply: Answer;
    const fault = faults.find((f) => f.left > 0 && f.fault.operationId === checked.match?.operation.operationId);
    if (request.headers.authorization !== `token ${token}`) {
      reply = { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    } else if (!checked.match) {
      reply = notFound;
    } else if (fault) {
      fault.left -= 1;
      reply = { status: fault.fault.status, body: { message: fault.fault.message ?? 'Resource not accessible by integration' }, ...(fault.fault.headers ? { headers: { ...fault.fault.headers } } : {}) };
    } else if (checked.violations.length > 0) {
      reply = { status: 422, body: { message: 'Validation Failed', errors: checked.violations, documentation_url: 'https://docs.github.com/rest' } };
    } else {
      reply = answer(checked.match, url.searchParams, (body ?? {}) as Record<string, unknown>);
      const declared = checked.match.operation.responses[String(reply.status)];
      if (declared !== undefined) standInErrors.push(...validate(declared, reply.body, `${checked.match.operation.operationId} response`, false));
    }
    record(reply.status);
    send(response, reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      standInErrors.push(`stand-in crashed: ${String(error)}`);
      send(response, { status: 500, body: { message: 'stand-in error' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base, token, owner, repo, requests, violations, standInErrors, deployments, statuses, comments,
    fail(fault) {
      faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    },
    seedComment(issueNumber, author, body) {
      const created = newComment(issueNumber, author, body, author.login === account.login ? 41898282 : 583231);
      comments.set(issueNumber, [...(comments.get(issueNumber) ?? []), created]);
      return created;
    },
    latestState: (deploymentId) => latest(deploymentId)?.state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
