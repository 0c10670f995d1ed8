import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';
import type { Template } from '../../src/engine/ports.js';

/**
 * Checks templates against AWS's own database of CloudFormation resource types
 * (@aws-cdk/aws-service-spec), so that a misspelt property or a missing required one fails a
 * unit test instead of a deploy. Values written as intrinsic functions ({Ref}, {"Fn::..."}) are
 * accepted for any type: only CloudFormation can resolve them.
 */

let database: SpecDatabase | undefined;

/** Loading takes most of a second: once per test process is enough. */
function spec(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

/** The specification of a resource type, or undefined when AWS has no such type. */
export function resourceSpec(type: string): Resource | undefined {
  return spec().lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/** The property that holds a resource type's tags, or undefined when the type takes none. */
export function tagProperty(type: string): string | undefined {
  return resourceSpec(type)?.tagInformation?.tagPropertyName;
}

const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Condition', 'Metadata', 'CreationPolicy', 'UpdatePolicy']);

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/** {Ref: ...} or {"Fn::Something": ...}: resolved by CloudFormation, so any type may hold one. */
function isIntrinsic(value: unknown): boolean {
  if (!isPlain(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

// CloudFormation converts scalars where the type allows it ("8080" for an integer, 1 for a
// string), as its own template parser does; anything else of the wrong shape is an error.
const NUMERIC = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

function describe(type: PropertyType): string {
  switch (type.type) {
    case 'array': return `list of ${describe(type.element)}`;
    case 'map': return `map of ${describe(type.element)}`;
    case 'union': return type.types.map(describe).join(' or ');
    case 'ref': return spec().get('typeDefinition', type.reference).name;
    default: return type.type;
  }
}

function checkValue(value: unknown, type: PropertyType, path: string): string[] {
  if (isIntrinsic(value)) return [];
  const wrong = [`${path}: expected ${describe(type)}, got ${JSON.stringify(value)}`];
  switch (type.type) {
    case 'string':
    case 'date-time': {
      if (typeof value !== 'string' && typeof value !== 'number') return wrong;
      const allowed = type.type === 'string' ? type.allowedValues : undefined;
      return allowed && !allowed.includes(String(value)) ? [`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`] : [];
    }
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value)) ? [] : wrong;
    case 'integer': {
      if (!(Number.isInteger(value) || (typeof value === 'string' && INTEGER.test(value)))) return wrong;
      return type.allowedValues && !type.allowedValues.includes(Number(value)) ? [`${path}: ${String(value)} is not one of ${type.allowedValues.join(', ')}`] : [];
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : wrong;
    case 'json':
      return value === undefined ? wrong : [];
    case 'null':
      return value === null ? [] : wrong;
    case 'tag':
      return isPlain(value) ? checkProperties(value, TAG, path) : wrong;
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => checkValue(item, type.element, `${path}[${i}]`)) : wrong;
    case 'map':
      return isPlain(value) ? Object.entries(value).flatMap(([key, item]) => checkValue(item, type.element, `${path}.${key}`)) : wrong;
    case 'ref':
      return isPlain(value) ? checkProperties(value, spec().get('typeDefinition', type.reference).properties, path) : wrong;
    case 'union': {
      // The member the value fits best is the one its author meant: report that one's problems.
      const attempts = type.types.map((member) => checkValue(value, member, path));
      return attempts.reduce((best, next) => (next.length < best.length ? next : best));
    }
  }
}

const TAG: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

function checkProperties(values: Plain, properties: ResourceProperties, path: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const property = properties[name];
    if (!property || property.deprecated === 'IGNORE') problems.push(`${path}.${name}: unknown property`);
    else problems.push(...checkValue(value, property.type, `${path}.${name}`));
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in values)) problems.push(`${path}.${name}: required property is missing`);
  }
  return problems;
}

function checkResource(logicalId: string, resource: unknown, logicalIds: ReadonlySet<string>): string[] {
  const path = `Resources.${logicalId}`;
  if (!isPlain(resource)) return [`${path}: not an object`];
  const problems = Object.keys(resource).filter((key) => !RESOURCE_KEYS.has(key)).map((key) => `${path}.${key}: unknown resource attribute`);
  const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
  for (const target of dependsOn) if (typeof target !== 'string' || !logicalIds.has(target)) problems.push(`${path}.DependsOn: no resource ${JSON.stringify(target)}`);
  const type = resource.Type;
  if (typeof type !== 'string') return [...problems, `${path}.Type: missing`];
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return problems;
  const found = resourceSpec(type);
  if (!found) return [...problems, `${path}: unknown resource type ${type}`];
  const properties = resource.Properties ?? {};
  if (!isPlain(properties)) return [...problems, `${path}.Properties: not an object`];
  return [...problems, ...checkProperties(properties, found.properties, `${path} (${type}).Properties`)];
}

/** "Resource.Attribute.Nested": the resource is before the first dot. */
const splitAttribute = (text: string): [string, string] => [text.slice(0, text.indexOf('.')), text.slice(text.indexOf('.') + 1)];

const SUB_VARIABLE = /\$\{(?!!)([^}]+)\}/g;

/** Every Ref, Fn::GetAtt and Fn::Sub variable names something that exists. */
function checkReferences(template: Template, resources: Plain): string[] {
  const parameters = isPlain(template.Parameters) ? Object.keys(template.Parameters) : [];
  const problems: string[] = [];
  const known = (name: string, local: ReadonlySet<string>) => name.startsWith('AWS::') || local.has(name) || parameters.includes(name) || name in resources;
  const attribute = (target: string, name: string, path: string) => {
    const resource = resources[target];
    const found = isPlain(resource) && typeof resource.Type === 'string' ? resourceSpec(resource.Type) : undefined;
    if (!isPlain(resource)) problems.push(`${path}: Fn::GetAtt of unknown resource ${target}`);
    else if (found && !(name in found.attributes)) problems.push(`${path}: ${found.cloudFormationType} has no attribute ${name}`);
  };
  const walk = (value: unknown, path: string, local: ReadonlySet<string>): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${path}[${i}]`, local));
    if (!isPlain(value)) return;
    if (typeof value.Ref === 'string' && !known(value.Ref, local)) problems.push(`${path}: Ref to unknown ${value.Ref}`);
    const getAtt = value['Fn::GetAtt'];
    const [target, name] = typeof getAtt === 'string' ? splitAttribute(getAtt) : Array.isArray(getAtt) ? getAtt : [];
    if (typeof target === 'string' && typeof name === 'string') attribute(target, name, path);
    const sub = value['Fn::Sub'];
    const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof text === 'string') {
      const names = new Set([...local, ...(isPlain(variables) ? Object.keys(variables) : [])]);
      for (const [, name] of text.matchAll(SUB_VARIABLE)) {
        if (names.has(name!)) continue;
        if (name!.includes('.')) attribute(...splitAttribute(name!), path);
        else if (!known(name!, names)) problems.push(`${path}: Fn::Sub of unknown \${${name}}`);
      }
    }
    for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`, local);
  };
  walk(resources, 'Resources', new Set());
  walk(template.Outputs, 'Outputs', new Set());
  return problems;
}

/**
 * Every problem of a template that AWS's resource specification can see: unknown resource
 * types, unknown properties, missing required properties, literals of the wrong type or outside
 * the allowed values (in nested property types too), and references to nothing. Empty means
 * the template is well-formed as far as the specification goes.
 */
export function specProblems(template: Template): string[] {
  const resources = template.Resources;
  if (!isPlain(resources) || Object.keys(resources).length === 0) return ['Resources: a template needs at least one resource'];
  const logicalIds = new Set(Object.keys(resources));
  return [
    ...Object.entries(resources).flatMap(([logicalId, resource]) => checkResource(logicalId, resource, logicalIds)),
    ...checkReferences(template, resources),
  ];
}

/** A template's resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Plain & { Properties: Plain }> {
  const resources = isPlain(template.Resources) ? template.Resources : {};
  return Object.fromEntries(Object.entries(resources).filter(([, resource]) => isPlain(resource) && resource.Type === type)) as Record<string, Plain & { Properties: Plain }>;
}

/**
 * Resources whose type takes tags (as AWS's specification says) but that lack one of the
 * expected tags, as "LogicalId: Key" lines.
 */
export function missingTags(template: Template, expected: Readonly<Record<string, string>>): string[] {
  const resources = isPlain(template.Resources) ? template.Resources : {};
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const property = isPlain(resource) && typeof resource.Type === 'string' ? tagProperty(resource.Type) : undefined;
    if (property === undefined) return [];
    const tags = isPlain(resource) && isPlain(resource.Properties) ? resource.Properties[property] : undefined;
    const has = (key: string, value: string) => Array.isArray(tags) ? tags.some((tag) => isPlain(tag) && tag.Key === key && tag.Value === value) : isPlain(tags) && tags[key] === value;
    return Object.entries(expected).filter(([key, value]) => !has(key, value)).map(([key]) => `${logicalId}: ${key}`);
  });
}
