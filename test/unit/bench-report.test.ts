import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { README_END, README_START, withBenchSection } from '../../bench/report.js';
import { longestChain, operationName, sequentialRoundTrips, type TimedRequest } from '../../bench/timeline.js';

const request = (operation: string, start: number, end: number, stack?: string): TimedRequest => ({ operation, start, end, ...(stack ? { stack } : {}) });

describe('sequential round trips', () => {
  test('requests made one after another count one each', () => {
    assert.equal(sequentialRoundTrips([request('A', 0, 50), request('B', 51, 100), request('C', 101, 150)]), 3);
  });

  test('requests sent side by side count once', () => {
    assert.equal(sequentialRoundTrips([request('A', 0, 50), request('B', 1, 52), request('C', 2, 49)]), 1);
  });

  test('the longest chain is followed through whichever request answered in time', () => {
    // B overlaps A, so C (after both) and D (after C) make a chain of three with either.
    const chain = longestChain([request('A', 0, 50), request('B', 10, 60), request('C', 61, 110), request('D', 111, 160), request('E', 20, 200)]);
    assert.equal(chain.length, 3);
    assert.deepEqual(chain.slice(1).map((step) => step.operation), ['C', 'D']);
  });

  test('a request that starts before the one before it is answered is not after it', () => {
    assert.equal(sequentialRoundTrips([request('A', 0, 50), request('B', 49, 100)]), 1);
  });
});

describe('operation names', () => {
  test("Route 53's REST paths get their operation's name, and a stack named by its id gets its name", () => {
    assert.equal(operationName(request('POST /2013-04-01/hostedzone/Z0123/rrset', 0, 1)), 'ChangeResourceRecordSets');
    assert.equal(operationName(request('GET /2013-04-01/change/C0123', 0, 1)), 'GetChange');
    assert.equal(operationName(request('DescribeStacks', 0, 1, 'arn:aws:cloudformation:us-east-1:123456789012:stack/wimpy-base/5b3c0f10-1a2b')), 'DescribeStacks wimpy-base');
  });
});

describe("the README's bench section", () => {
  const readme = `# Title\n\nabove\n\n${README_START}\nold table\n${README_END}\n\nbelow\n`;

  test('is replaced between its markers, and nothing else changes', () => {
    assert.equal(withBenchSection(readme, 'new table'), `# Title\n\nabove\n\n${README_START}\nnew table\n${README_END}\n\nbelow\n`);
  });

  test('is refused, saying which lines to add, when the README has no markers', () => {
    assert.throws(() => withBenchSection('# Title\n', 'new table'), /no bench section: add the lines/);
  });
});
