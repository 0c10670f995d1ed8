import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commentBody, commentMarker, removedCommentBody } from '../../src/report/comment.js';
import { deployedReport, failedReport, SHA } from '../support/run-reports.js';

const lines = (body: string) => body.split('\n');

/** The Markdown tables of a body: runs of lines that start with a pipe. */
function tables(rows: readonly string[]): string[][] {
  const found: string[][] = [];
  let previous = false;
  for (const row of rows) {
    const inTable = row.startsWith('|');
    if (inTable && !previous) found.push([]);
    if (inTable) found[found.length - 1]?.push(row);
    previous = inTable;
  }
  return found;
}

describe('the pull request comment', () => {
  test('starts with the hidden marker of its application and environment', () => {
    assert.equal(lines(commentBody(deployedReport()))[0], '<!-- wimpy-deploy: awesome-application/pr-2 -->');
    assert.equal(commentMarker('awesome-application', 'pr-2'), '<!-- wimpy-deploy: awesome-application/pr-2 -->');
  });

  test('says what was deployed where, with the version linked to its commit, the URLs, the traffic, the changes, the duration and the log', () => {
    const body = lines(commentBody(deployedReport()));
    assert.equal(body[1], '### ✅ Deployed <code>awesome-application</code> to <code>pr-2</code>');
    for (const expected of [
      `| **Version** | <a href="https://github.com/Codertocat/Hello-World/commit/${SHA}"><code>ec26c3e</code></a> |`,
      '| **URL** | <a href="https://awesome-application-pr-2.armesto.net">https://awesome-application-pr-2.armesto.net</a> |',
      '| **Pinned URL** | <a href="https://awesome-application-pr-2-ec26c3e.armesto.net">https://awesome-application-pr-2-ec26c3e.armesto.net</a> |',
      '| **Strategy** | blue-green |',
      '| **Traffic** | <code>awesome-application-pr-2-ec26c3e</code> 100 % |',
      '| **Changes** | 1 stack: 1 added, 1 modified, 0 removed, 1 replaced |',
      '| **Duration** | 4 min 12 s |',
      '| **Log** | <a href="https://github.com/Codertocat/Hello-World/actions/runs/7">workflow run</a> |',
      '| <code>awesome-application-pr-2-resources</code> | unchanged | no changes |',
      '| <code>awesome-application-pr-2-ec26c3e</code> | <code>Listener</code> | <code>AWS::ElasticLoadBalancingV2::Listener</code> | Modify | True |',
    ]) {
      assert.ok(body.includes(expected), `missing line: ${expected}`);
    }
  });

  test('shows a tag as the version and the commit beside it', () => {
    const body = lines(commentBody(deployedReport({ version: 'v1.4.2' })));
    assert.ok(body.includes(`| **Version** | <a href="https://github.com/Codertocat/Hello-World/commit/${SHA}"><code>v1.4.2</code></a> |`));
    assert.ok(body.includes(`| **Commit** | <a href="https://github.com/Codertocat/Hello-World/commit/${SHA}"><code>ec26c3e</code></a> |`));
  });

  test('on failure leads with the root cause and its reason, and keeps the last events folded', () => {
    const body = lines(commentBody(failedReport()));
    assert.equal(body[1], '### ❌ Failed to deploy <code>awesome-application</code> to <code>pr-2</code>');
    assert.equal(
      body[3],
      '**Root cause:** <code>Fleet</code> (<code>AWS::AutoScaling::AutoScalingGroup</code>) in <code>awesome-application-pr-2-ec26c3e</code>: <code>CREATE&#95;FAILED</code> — Received 0 SUCCESS signals out of the 1 expected',
    );
    assert.ok(body.includes('<details><summary>Last stack events</summary>'));
    assert.ok(body.includes('| 10:04:05 | <code>awesome-application-pr-2-ec26c3e</code> | <code>Fleet</code> | <code>AWS::AutoScaling::AutoScalingGroup</code> | <code>CREATE&#95;FAILED</code> | Received 0 SUCCESS signals |'));
  });

  test('for a plan says what would change, in the future tense', () => {
    const body = lines(commentBody(deployedReport({ command: 'plan', status: 'planned', stacks: [{ name: 'awesome-application-pr-2', outcome: 'planned', changes: [{ logicalId: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Add' }] }] })));
    assert.equal(body[1], '### 📝 Plan to deploy <code>awesome-application</code> to <code>pr-2</code>');
    assert.ok(body.includes('<details><summary>What would change</summary>'));
    assert.ok(body.includes('| **Changes** | 1 stack: 1 to add, 0 to modify, 0 to remove |'));
  });

  test('after a destroy or a preview removal says the preview was removed', () => {
    assert.equal(lines(commentBody(deployedReport({ command: 'destroy', stacks: [] })))[1], '### 🗑️ Removed <code>awesome-application</code> from <code>pr-2</code>');
    assert.deepEqual(lines(removedCommentBody('awesome-application', 'pr-2', 'https://github.com/Codertocat/Hello-World/actions/runs/9')), [
      '<!-- wimpy-deploy: awesome-application/pr-2 -->',
      '### 🗑️ Removed <code>awesome-application</code> from <code>pr-2</code>',
      '',
      'The preview and everything it ran on are gone. See the <a href="https://github.com/Codertocat/Hello-World/actions/runs/9">workflow run</a>.',
      '',
    ]);
  });

  test('lists at most 30 changes and says how many more there were', () => {
    const changes = Array.from({ length: 45 }, (_, i) => ({ logicalId: `Queue${i}`, type: 'AWS::SQS::Queue', action: 'Add' as const }));
    const body = lines(commentBody(deployedReport({ stacks: [{ name: 'big', outcome: 'created', changes }] })));
    assert.equal(body.filter((line) => line.includes('<code>AWS::SQS::Queue</code>')).length, 30);
    assert.ok(body.includes('| … and 15 more |  |  |  |  |'));
  });

  describe('cannot be broken by any value', () => {
    const hostile = ['<!--', '-->', ']]>', '|', '`', '```', '\n- name: x', '\r\n## heading', '<script>alert(1)</script>', '[click](javascript:alert(1))', '*bold* _it_ ~~s~~ \\', '@octo-org/everyone'];

    for (const value of hostile) {
      test(`such as ${JSON.stringify(value)} in every field a person or AWS controls`, () => {
        const evil = `a${value}b`;
        const event = { stack: evil, resource: evil, type: evil, status: evil, reason: evil, timestamp: new Date('2026-03-01T10:00:00Z') };
        const body = commentBody(
          failedReport({
            application: evil,
            environment: evil,
            version: evil,
            message: evil,
            url: `https://example.com/${value}`,
            pinnedUrl: evil,
            image: evil,
            commitUrl: `https://example.com/"${value}`,
            traffic: [{ release: evil, weight: 50 }],
            stacks: [{ name: evil, outcome: 'failed', changes: [{ logicalId: evil, type: evil, action: 'Add', replacement: evil }] }],
            rootCause: event,
            lastEvents: [event],
          }),
        );
        const rows = lines(body);
        assert.equal(body.split('<!--').length, 2, 'only the marker opens an HTML comment');
        assert.equal(body.split('-->').length, 2, 'only the marker closes an HTML comment');
        assert.ok(rows[0]?.startsWith('<!-- wimpy-deploy: a') && rows[0].endsWith(' -->'));
        const diagrams = body.match(/^```mermaid\n[^`]*?\n```$/gm) ?? [];
        assert.equal(body.split('```').length - 1, 2 * diagrams.length, 'the only fences are those of whole diagrams, whose insides hold no backtick');
        assert.ok(!diagrams.reduce((rest, diagram) => rest.replace(diagram, ''), body).includes('`'), 'no code span can open');
        assert.ok(!body.includes(']]>') && !body.includes('<script') && !body.includes('](javascript'));
        assert.ok(!rows.some((row) => row.startsWith('- name') || row.startsWith('## heading')), 'no value starts a line');
        assert.ok(!body.includes('\r'));
        assert.ok(!body.includes('@octo'), 'no value mentions anyone');
        for (const table of tables(rows)) {
          const cells = table[0]?.split('|').length;
          assert.ok(table.every((row) => row.split('|').length === cells), `every row has the header's cells:\n${table.join('\n')}`);
        }
      });
    }
  });
});
