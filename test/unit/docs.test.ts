import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { actionYml, withTables } from '../../scripts/docs.js';
import { withPictures } from '../../scripts/pictures.js';
import { referenceTotal, withReferenceCost } from '../../scripts/reference-cost.js';
import { parseDiagram } from '../support/mermaid.js';

const root = new URL('../../..', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('the documentation', () => {
  test('action.yml is generated from the input table: run npm run docs when this fails', () => {
    assert.equal(read('action.yml'), actionYml());
  });

  test("the README's inputs and outputs table is generated from the same table: run npm run docs when this fails", () => {
    const readme = read('README.md');
    assert.equal(readme, withTables(readme));
  });

  test("the README's golden pictures are the product's own rendering, and Mermaid reads each: run npm run docs when this fails", async () => {
    const readme = read('README.md');
    assert.equal(readme, withPictures(readme));
    const section = readme.slice(readme.indexOf('<!-- pictures:start'), readme.indexOf('<!-- pictures:end'));
    const blocks = section.match(/```mermaid\n[\s\S]*?\n```/g) ?? [];
    assert.equal(blocks.length, 3);
    for (const block of blocks) assert.equal((await parseDiagram(block)).type, 'flowchart-v2');
  });

  test("the README's reference setup costs what the product's own estimate says: run npm run docs when this fails", () => {
    const readme = read('README.md');
    assert.equal(readme, withReferenceCost(readme));
  });

  test('with every default, the reference setup costs at most half of the 431.18 USD a month of the first layout (a load balancer per release and per preview)', () => {
    assert.ok(referenceTotal() <= 431.18 / 2, `${referenceTotal().toFixed(2)} USD a month`);
  });

  test('action.yml runs on node24 with a post step that always runs', () => {
    assert.match(read('action.yml'), /runs:\n {2}using: node24\n {2}main: dist\/index\.js\n {2}post: dist\/index\.js\n {2}post-if: 'always\(\)'/);
  });
});
