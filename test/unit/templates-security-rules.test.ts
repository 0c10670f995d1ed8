import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { sampleTemplates } from '../../scripts/sample-templates.js';
import type { Template } from '../../src/engine/ports.js';
import { readFileSync } from 'node:fs';
import { EXCEPTIONS, instanceRoleWildcards, schedulerRoleWildcard, type Suppression } from '../../src/templates/security-exceptions.js';

/**
 * AWS's own security rules for CloudFormation (cdk-nag's AwsSolutions pack) over every template
 * the product renders. A finding fails the test unless the template itself suppresses it in the
 * resource's Metadata (cdk_nag.rules_to_suppress, each with its reason): the suppressions travel
 * with the template, where a reviewer of a deployed stack finds them too.
 */

/**
 * The template's own suppressions, handed to cdk-nag as acknowledgements of the resource. A
 * suppression with applies_to covers exactly the findings it names (cdk-nag 3 spells one such
 * finding `rule[item]`), never the whole rule.
 */
function acknowledgeSuppressions(included: CfnInclude, template: Template): void {
  for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } }>)) {
    for (const suppression of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      assert.ok(suppression.reason.length >= 40, `${logicalId}: the suppression of ${suppression.id} gives no real reason`);
      const ids = suppression.applies_to ? suppression.applies_to.map((item) => `${suppression.id}[${item}]`) : [suppression.id];
      for (const id of ids) Validations.of(included.getResource(logicalId)).acknowledge({ id, reason: suppression.reason });
    }
  }
}

interface Finding {
  readonly template: string;
  readonly rule: string;
  readonly resource: string;
}

// CfnInclude reads templates from files only.
const folder = mkdtempSync(join(tmpdir(), 'wimpy-templates-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function findings(name: string, template: Template): Finding[] {
  const file = join(folder, `${name}.json`);
  writeFileSync(file, JSON.stringify(template));
  const stack = new Stack(new App(), name.replace(/[^A-Za-z0-9]/g, ''));
  const included = new CfnInclude(stack, 'Template', { templateFile: file });
  acknowledgeSuppressions(included, template);
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) => ({
    template: name,
    rule: violation.ruleName,
    resource: (resource.constructPath ?? '').split('/').at(-1) ?? '',
  })));
}

const started = performance.now();
after(() => console.log(`AwsSolutions rules over ${Object.keys(sampleTemplates()).length} templates: ${Math.round(performance.now() - started)} ms`));

describe('AWS\'s security rules (cdk-nag AwsSolutions) over every template the product renders', () => {
  for (const [name, template] of Object.entries(sampleTemplates())) {
    test(`${name}: no finding that the template does not suppress with a reason`, () => {
      const unsuppressed = findings(name, template);
      assert.deepEqual(unsuppressed, [], unsuppressed.map((finding) => `${finding.rule} on ${finding.resource}`).join('\n'));
    });
  }
});

describe('the suppressions', () => {
  test('the README lists every one with its reason', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- suppressions:start'), readme.indexOf('<!-- suppressions:end'));
    const all = [...Object.values(EXCEPTIONS), instanceRoleWildcards({ logStreams: '', storageObjects: '', secrets: '' }), schedulerRoleWildcard('')];
    for (const suppression of all) assert.ok(table.includes(`| ${suppression.id}`) && table.includes(`| ${suppression.reason} |`), `${suppression.id}: ${suppression.reason}`);
    assert.equal(table.split('\n').filter((row) => row.startsWith('| AwsSolutions-')).length, all.length);
  });

  test('a template without its suppressions has exactly the findings they cover: the check can fail', () => {
    const template = sampleTemplates()['resources-staging']!;
    const bare = { ...template, Resources: Object.fromEntries(Object.entries(template.Resources as Record<string, Record<string, unknown>>).map(([id, { Metadata: _, ...resource }]) => [id, resource])) };
    const found = findings('resources-staging-bare', bare).map((finding) => `${finding.rule} on ${finding.resource}`);
    assert.equal(found.filter((finding) => finding.startsWith('AwsSolutions-EC23')).length, 1);
    assert.equal(found.filter((finding) => finding.startsWith('AwsSolutions-IAM5[')).length, 4, found.join('\n'));
  });
});
