import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, fenced, formatDuration, link, text } from '../../src/report/markdown.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { deployedReport, failedReport } from '../support/run-reports.js';

const lines = (body: string) => body.split('\n');

describe('the job summary', () => {
  test('gives the title, the image and every change, unfolded', () => {
    const body = lines(summaryMarkdown(deployedReport({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application@sha256:0f1e' })));
    assert.equal(body[0], '## ✅ Deployed <code>awesome-application</code> to <code>pr-2</code>');
    assert.ok(body.includes('| **Image** | <code>123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application&#64;sha256:0f1e</code> |'));
    assert.ok(body.includes('<details open><summary>What changed</summary>'));
    assert.ok(body.includes('| <code>awesome-application-pr-2-ec26c3e</code> | <code>Fleet</code> | <code>AWS::AutoScaling::AutoScalingGroup</code> | Add |  |'));
  });

  test('on failure names the first failed event with its reason, and shows the last events', () => {
    const body = lines(summaryMarkdown(failedReport()));
    assert.equal(body[0], '## ❌ Failed to deploy <code>awesome-application</code> to <code>pr-2</code>');
    assert.ok(body.some((line) => line.startsWith('**Root cause:** <code>Fleet</code>') && line.endsWith('— Received 0 SUCCESS signals out of the 1 expected')));
    assert.ok(body.includes('<details open><summary>Last stack events</summary>'));
    assert.ok(body.includes('| 10:04:06 | <code>awesome-application-pr-2-ec26c3e</code> | <code>awesome-application-pr-2-ec26c3e</code> | <code>AWS::CloudFormation::Stack</code> | <code>ROLLBACK&#95;IN&#95;PROGRESS</code> |  |'));
  });

  test('keeps the last 25 events of a long failure, the ones nearest the end', () => {
    const events = Array.from({ length: 40 }, (_, i) => ({ stack: 's', resource: `R${i}`, type: 'AWS::SQS::Queue', status: 'DELETE_COMPLETE' }));
    const body = summaryMarkdown(failedReport({ lastEvents: events }));
    assert.ok(!body.includes('<code>R14</code>'));
    assert.ok(body.includes('<code>R15</code>') && body.includes('<code>R39</code>'));
  });

  test("shows a failed release command's last lines as a block of code, open", () => {
    const body = summaryMarkdown(failedReport({ message: 'The release command exited with code 1.', releaseCommandOutput: { lines: ['Applying shop.0042...', '```<img src=x>'], logStream: 'staging/v2/release/abc' } }));
    assert.ok(body.includes('<details open><summary>Release command output, last 2 lines (log stream <code>staging/v2/release/abc</code>)</summary>\n\n````text\nApplying shop.0042...\n```<img src=x>\n````\n\n</details>'), body);
  });

  test('escapes HTML in every value', () => {
    const body = summaryMarkdown(deployedReport({ message: '<img src=x onerror=alert(1)> & "quotes"', version: '<b>v1</b>' }));
    assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'));
    assert.ok(body.includes('<code>&lt;b&gt;v1&lt;/b&gt;</code>'));
    assert.ok(!body.includes('<img') && !body.includes('<b>'));
  });

  test('shows only the fields of the report, so a secret next to them never reaches it', () => {
    const secret = 'hunter2-registry-password';
    const withConfig = { ...deployedReport(), registryPassword: secret, build: { registryPassword: secret }, githubToken: `ghs_${secret}` };
    assert.ok(!summaryMarkdown(withConfig).includes(secret));
  });

  test('says a run with nothing to change is up to date', () => {
    const body = lines(summaryMarkdown(deployedReport({ status: 'no-change', stacks: [{ name: 'awesome-application-pr-2', outcome: 'unchanged', changes: [] }] })));
    assert.equal(body[0], '## ✅ <code>awesome-application</code> in <code>pr-2</code> is up to date');
    assert.ok(body.includes('| **Changes** | none |'));
  });

  test('says why a run was skipped or cancelled', () => {
    const skipped = lines(summaryMarkdown(deployedReport({ status: 'skipped', message: 'Pull request #2 comes from a fork.', stacks: [], traffic: [] })));
    assert.equal(skipped[0], '## ⏭️ Skipped: deploy <code>awesome-application</code> to <code>pr-2</code>');
    assert.equal(skipped[2], 'Pull request #2 comes from a fork.');
    assert.equal(lines(summaryMarkdown(deployedReport({ status: 'cancelled', command: 'rollback' })))[0], '## ⛔ Cancelled: roll back <code>awesome-application</code> in <code>pr-2</code>');
  });
});

describe('Markdown pieces', () => {
  test('text leaves no character that opens markup, and no line break', () => {
    assert.equal(text('a<b>&"\'|`[x]\\*_~@\nc\r\nd'), 'a&lt;b&gt;&amp;&quot;&#39;&#124;&#96;&#91;x&#93;&#92;&#42;&#95;&#126;&#64; c d');
  });

  test('fenced keeps lines as written, in a fence no line can close', () => {
    assert.equal(fenced(['<b>@team</b> | *x*', 'a ``` b']), '````text\n<b>@team</b> | *x*\na ``` b\n````');
    assert.equal(fenced(['plain']), '```text\nplain\n```');
  });

  test('fenced removes control characters and keeps each value on its line', () => {
    assert.equal(fenced(['\u001b[31mred\u001b[0m\tcell', 'two\nparts']), '```text\n[31mred[0m\tcell\ntwo parts\n```');
  });

  test('a link is made only of http and https URLs', () => {
    assert.equal(link('https://example.com/a?b=1&c=2', 'x'), '<a href="https://example.com/a?b=1&amp;c=2">x</a>');
    assert.equal(link('javascript:alert(1)', 'x'), 'x');
    assert.equal(link('https://example.com/ spaced', 'x'), 'x');
    assert.equal(link(undefined, 'x'), 'x');
  });

  test('clip shortens by characters and never splits an emoji', () => {
    assert.equal(clip('abcdef', 6), 'abcdef');
    assert.equal(clip('abcdefg', 6), 'abcde…');
    assert.equal(clip('🚀🚀🚀🚀', 3), '🚀🚀…');
  });

  test('durations read as seconds, minutes or hours', () => {
    assert.equal(formatDuration(42_400), '42 s');
    assert.equal(formatDuration(252_400), '4 min 12 s');
    assert.equal(formatDuration(3_725_000), '1 h 2 min');
  });
});
