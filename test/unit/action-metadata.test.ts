import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { marketplaceProblems, readBranding } from '../../scripts/check-action.js';

const ACTION_YML = readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8');
const branding = readBranding();

describe("action.yml, as GitHub Marketplace reads it", () => {
  test('keeps every Marketplace rule', () => {
    assert.deepEqual(marketplaceProblems(ACTION_YML, branding), []);
  });

  test('is refused with a description of 125 characters or more', () => {
    const long = ACTION_YML.replace(/^description: .*$/m, `description: '${'x'.repeat(125)}'`);
    assert.deepEqual(marketplaceProblems(long, branding), ['description has 125 characters: the Marketplace takes fewer than 125']);
  });

  test("is refused with an icon or a colour outside GitHub's lists", () => {
    const odd = ACTION_YML.replace(/^ {2}icon: .*$/m, '  icon: rocket').replace(/^ {2}color: .*$/m, '  color: pink');
    assert.deepEqual(marketplaceProblems(odd, branding), [
      "branding.icon rocket is not one of GitHub's icons",
      `branding.color pink is not one of ${branding.colors.join(', ')}`,
    ]);
  });

  test('is refused with an input or an output that has no description', () => {
    const bare = ACTION_YML.replace(/^( {2}command:\n) {4}description: .*\n/m, '$1').replace(/^( {2}url:\n) {4}description: .*\n/m, '$1    description: ""\n');
    assert.deepEqual(marketplaceProblems(bare, branding), ['input command has no description', 'output url has no description']);
  });
});
