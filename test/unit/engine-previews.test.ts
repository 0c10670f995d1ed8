import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';
import { APP, FakeAws, V1 } from '../support/fake-aws.js';

/** The preview sweep: what any run of the application does with previews past preview-ttl. */

const previewRun = (aws: FakeAws, number: number) => aws.run(configOf({}, { sha: V1, intent: { kind: 'preview-deploy', pullRequest: number } }));

test('the preview sweep finds the expired previews with one listing and removes them side by side, at most fifteen at a time', async () => {
  const aws = new FakeAws();
  await aws.run(configOf());
  const numbers = Array.from({ length: 18 }, (_, i) => i + 1);
  for (const number of numbers) await previewRun(aws, number);
  aws.clock.advance(8 * 24 * 3600_000);
  let inFlight = 0;
  let peak = 0;
  const remove = aws.stacks.remove.bind(aws.stacks);
  aws.stacks.remove = async (name, options) => {
    const preview = /-pr-\d+$/.test(name);
    if (preview) peak = Math.max(peak, ++inFlight);
    try {
      return await remove(name, options);
    } finally {
      if (preview) inFlight -= 1;
    }
  };
  const mark = aws.journal.length;

  const { expiredPreviews } = await aws.run(configOf());

  assert.deepEqual([...expiredPreviews].sort(), numbers.map((number) => `pr-${number}`).sort());
  const listings = aws.since(mark).filter((entry) => entry.startsWith('stacks.list') && !entry.includes('"wimpy:environment":"staging"'));
  assert.deepEqual(listings, [`stacks.list {"wimpy:application":"${APP}"}`], 'one listing of the application, none per preview');
  assert.ok(peak > 1 && peak <= 15, `removed side by side, at most fifteen at a time (${peak} at once)`);
});

test('a cancelled run\'s sweep hears the cancellation: its listing gets the run\'s signal, and no expired preview is removed after it', async () => {
  const aws = new FakeAws();
  await aws.run(configOf());
  await previewRun(aws, 1);
  aws.clock.advance(8 * 24 * 3600_000);
  const cancel = new AbortController();
  let heard: AbortSignal | undefined;
  const list = aws.stacks.list.bind(aws.stacks);
  aws.stacks.list = async (tags, only, signal) => {
    // The sweep's listing: the application's stacks, of every environment.
    if (!('wimpy:environment' in tags)) {
      heard = signal;
      cancel.abort();
    }
    return list(tags, only, signal);
  };
  const request = aws.request(configOf());

  const { expiredPreviews } = await aws.run(configOf(), { ...request, run: { ...request.run, signal: cancel.signal } });

  assert.equal(heard, cancel.signal);
  assert.deepEqual(expiredPreviews, []);
  assert.equal(aws.stacks.removed.length, 0);
});

test("an expired preview's database is looked for only where the application's listing names one, and removed there", async () => {
  const aws = new FakeAws();
  await aws.run(configOf({ version: V1, database: 'postgres' }));
  await aws.run(configOf({ version: V1 }, { sha: V1, intent: { kind: 'preview-deploy', pullRequest: 1 } }));
  await aws.run(configOf({ version: V1, database: 'postgres' }, { sha: V1, intent: { kind: 'preview-deploy', pullRequest: 2 } }));
  assert.equal(aws.stacks.get(`${APP}-pr-1-database`), undefined, 'preview 1 has no database');
  assert.ok(aws.stacks.get(`${APP}-pr-2-database`), 'preview 2 has its own');
  aws.clock.advance(8 * 24 * 3600_000);
  const mark = aws.journal.length;

  const { expiredPreviews } = await aws.run(configOf({ version: V1, database: 'postgres' }));

  assert.deepEqual([...expiredPreviews].sort(), ['pr-1', 'pr-2']);
  const looked = aws.since(mark).filter((entry) => entry.startsWith('stacks.describe') && /-pr-\d+-database$/.test(entry));
  assert.deepEqual(looked, [`stacks.describe ${APP}-pr-2-database`]);
  assert.equal(aws.stacks.get(`${APP}-pr-2-database`), undefined, "preview 2's database went with it");
});
