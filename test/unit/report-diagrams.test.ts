import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { label, MAX_DIAGRAM_CHARS, releasesDiagram, stacksDiagram, trafficDiagram, type StackNode } from '../../src/report/diagrams.js';
import { parseDiagram, type ParsedDiagram } from '../support/mermaid.js';

// Issue 22: pictures drawn from the same data as the tables, read back by Mermaid's own parser.

const nodeText = (diagram: ParsedDiagram, id: string) => diagram.nodes.find((node) => node.id === id)?.text;
const classOf = (diagram: ParsedDiagram, id: string) => diagram.nodes.find((node) => node.id === id)?.classes;

/** Values a hostile branch, tag or AWS reason could carry: each tries to leave its label, its diagram or its code block. */
const HOSTILE = [
  'v1"] --> x["pwned',
  'v1|evil|',
  'v1\n```\n<script>alert(1)</script>',
  '%%{init: {"securityLevel": "loose"}}%%',
  'v1]:::create\nclick s0 href "javascript:alert(1)"',
  '`**bold**` &amp; #35; <br/> @team',
  'end\nsubgraph x',
];

const PRODUCTION: StackNode[] = [
  { name: 'wimpy-base', wave: 1, action: 'unchanged' },
  { name: 'wimpy-production', wave: 1, action: 'unchanged' },
  { name: 'shop-production-resources', wave: 2, action: 'update', changes: 3, replacements: 1, dependsOn: ['wimpy-base', 'wimpy-production'] },
  { name: 'shop-production-v142', wave: 3, action: 'create', dependsOn: ['shop-production-resources', 'wimpy-production'] },
  { name: 'shop-production-v139', wave: 3, action: 'remove' },
];

describe('the diagram of the stacks a run applies', () => {
  test('draws each stack in its wave, with what will happen to it, and an arrow from each stack it depends on', async () => {
    const diagram = await parseDiagram(stacksDiagram(PRODUCTION)!);
    assert.equal(diagram.type, 'flowchart-v2');
    assert.deepEqual(diagram.subgraphs.map((graph) => [graph.title, graph.nodes.toSorted()]), [
      ['wave 1', ['s0', 's1']],
      ['wave 2', ['s2']],
      ['wave 3', ['s3', 's4']],
    ]);
    assert.equal(nodeText(diagram, 's2'), 'shop-production-resources\nupdate: 3 changes, 1 replaced');
    assert.equal(nodeText(diagram, 's3'), 'shop-production-v142\ncreate');
    assert.equal(nodeText(diagram, 's4'), 'shop-production-v139\nremove');
    assert.deepEqual(classOf(diagram, 's0'), ['unchanged']);
    assert.deepEqual(classOf(diagram, 's4'), ['remove']);
    assert.deepEqual(diagram.edges.map((edge) => `${edge.from}->${edge.to}`), ['s0->s2', 's1->s2', 's2->s3', 's1->s3']);
  });

  test('without dependencies, each wave follows the one before it', async () => {
    const diagram = await parseDiagram(stacksDiagram(PRODUCTION.map(({ dependsOn: _, ...stack }) => stack))!);
    assert.deepEqual(diagram.edges.map((edge) => `${edge.from}->${edge.to}`), ['w1->w2', 'w2->w3']);
  });

  test('shows the estimated monthly cost of a stack where there is one', async () => {
    const diagram = await parseDiagram(stacksDiagram([{ name: 'shop-staging', wave: 1, action: 'create', cost: '≈ 16.43 USD/month' }])!);
    assert.equal(nodeText(diagram, 's0'), 'shop-staging\ncreate, ≈ 16.43 USD/month');
  });

  test('draws a failed stack apart from the others', async () => {
    const diagram = await parseDiagram(stacksDiagram([{ name: 'shop-staging', wave: 1, action: 'failed' }])!);
    assert.deepEqual(classOf(diagram, 's0'), ['failed']);
  });

  test('nothing to draw gives no diagram', () => {
    assert.equal(stacksDiagram([]), undefined);
  });
});

describe('the diagram of the traffic over a run', () => {
  test('a canary of 10, 50 and 100: one box per step, with the shares and how long each was watched', async () => {
    const diagram = await parseDiagram(trafficDiagram([
      { shares: [{ release: 'v1', weight: 90 }, { release: 'v2', weight: 10 }], watched: '60 s' },
      { shares: [{ release: 'v1', weight: 50 }, { release: 'v2', weight: 50 }], watched: '60 s' },
      { shares: [{ release: 'v2', weight: 100 }, { release: 'v1', weight: 0 }] },
    ])!);
    assert.deepEqual(diagram.nodes.map((node) => node.text), [
      'step 1\nv1 90 %\nv2 10 %\nwatched 60 s',
      'step 2\nv1 50 %\nv2 50 %\nwatched 60 s',
      'step 3\nv2 100 %\nv1 0 %',
    ]);
    assert.deepEqual(diagram.edges.map((edge) => `${edge.from}->${edge.to}`), ['t0->t1', 't1->t2']);
    assert.deepEqual(classOf(diagram, 't2'), ['final']);
  });

  test('a failed canary: the step that was watched, then a red box that says why traffic went back', async () => {
    const diagram = await parseDiagram(trafficDiagram([
      { shares: [{ release: 'v1', weight: 90 }, { release: 'v2', weight: 10 }], watched: '20 s' },
      { shares: [{ release: 'v1', weight: 100 }, { release: 'v2', weight: 0 }], reverted: 'alarm shop-5xx is in ALARM' },
    ])!);
    assert.equal(nodeText(diagram, 't1'), 'all back\nv1 100 %\nv2 0 %');
    assert.deepEqual(classOf(diagram, 't1'), ['reverted']);
    assert.deepEqual(diagram.edges, [{ from: 't0', to: 't1', text: 'alarm shop-5xx is in ALARM' }]);
  });
});

describe('the diagram of the releases', () => {
  test('the hostname, an arrow with its share to each release with traffic, and what the others are kept for', async () => {
    const diagram = await parseDiagram(releasesDiagram('shop.example.com', [
      { version: 'v3', weight: 10, role: 'canary', age: '5 min' },
      { version: 'v2', weight: 90, role: 'serving', age: '2 d' },
      { version: 'v1', weight: 0, role: 'last good', age: '9 d' },
    ])!);
    assert.equal(nodeText(diagram, 'host'), 'shop.example.com');
    assert.deepEqual(diagram.nodes.filter((node) => node.id !== 'host').map((node) => [node.text, node.classes.join()]), [
      ['v3\ncanary, 5 min', 'canary'],
      ['v2\nserving, 2 d', 'serving'],
      ['v1\nlast good, 9 d', 'lastgood'],
    ]);
    assert.deepEqual(diagram.edges.map((edge) => [edge.to, edge.text]), [['r0', '10 %'], ['r1', '90 %'], ['r2', '0 %']]);
  });
});

describe('diagrams are escaped like every other value', () => {
  for (const value of HOSTILE) {
    test(`${JSON.stringify(value)} is shown as it is, in one node, and changes nothing around it`, async () => {
      const stacks = await parseDiagram(stacksDiagram([{ name: value, wave: 1, action: 'create' }, { name: 'wimpy-base', wave: 2, action: 'unchanged' }])!);
      assert.deepEqual(stacks.nodes.map((node) => node.id), ['s0', 's1']);
      assert.equal(nodeText(stacks, 's0'), `${value.replace(/\s+/g, ' ')}\ncreate`);
      assert.deepEqual(stacks.edges.map((edge) => `${edge.from}->${edge.to}`), ['w1->w2']);

      const traffic = await parseDiagram(trafficDiagram([
        { shares: [{ release: value, weight: 10 }] },
        { shares: [{ release: 'v0', weight: 100 }], reverted: value },
      ])!);
      assert.equal(traffic.nodes.length, 2);
      assert.equal(traffic.nodes[0]?.text, `step 1\n${value.replace(/\s+/g, ' ')} 10 %`);
      assert.equal(traffic.edges[0]?.text, value.replace(/\s+/g, ' '));

      const releases = await parseDiagram(releasesDiagram(value, [{ version: value, weight: 100, role: 'serving' }])!);
      assert.deepEqual(releases.nodes.map((node) => node.text), [value.replace(/\s+/g, ' '), `${value.replace(/\s+/g, ' ')}\nserving`]);
    });
  }

  test('a label holds only letters, digits, spaces, a few harmless marks and numeric entities', () => {
    for (const value of HOSTILE) assert.match(label(value), /^([A-Za-z0-9 .,:/+=-]|#\d+;)*$/);
  });
});

describe('diagrams stay within what GitHub draws', () => {
  test(`at most 40 nodes and ${MAX_DIAGRAM_CHARS} characters, saying how many more there are`, async () => {
    const many = Array.from({ length: 120 }, (_, i): StackNode => ({ name: `shop-pr-${i}`, wave: 1 + (i % 3), action: 'remove' }));
    const block = stacksDiagram(many)!;
    assert.ok(block.length <= MAX_DIAGRAM_CHARS + 20);
    const diagram = await parseDiagram(block);
    assert.equal(diagram.nodes.length, 41);
    assert.equal(nodeText(diagram, 'more'), 'and 80 more stacks');
  });

  test('a diagram that would pass the size limit is left out, and the tables beside it still say everything', () => {
    const long = 'x'.repeat(400);
    assert.equal(stacksDiagram(Array.from({ length: 40 }, (_, i): StackNode => ({ name: `${long}${i}`, wave: 1, action: 'create' }))), undefined);
  });
});
