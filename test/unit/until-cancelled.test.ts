import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, untilCancelled } from '../../src/engine/context.js';

const run = (signal: AbortSignal) => ({ startedAt: 0, deadline: Number.POSITIVE_INFINITY, signal });

describe('waiting for work while the run may be cancelled', () => {
  test('gives the work its own result when nobody cancels', async () => {
    assert.equal(await untilCancelled(Promise.resolve(42), run(new AbortController().signal), 'while testing'), 42);
  });

  test('keeps the words of work that honours the cancellation and stops by itself', async () => {
    const cancel = new AbortController();
    const work = new Promise((_, reject) => cancel.signal.addEventListener('abort', () => reject(new Error('stack wimpy-base left UPDATE_IN_PROGRESS'))));
    const waiting = untilCancelled(work, run(cancel.signal), 'while testing');
    cancel.abort();
    await assert.rejects(waiting, /stack wimpy-base left UPDATE_IN_PROGRESS/);
  });

  test('gives up on work that ignores the cancellation, saying what the run was doing', async () => {
    const cancel = new AbortController();
    const waiting = untilCancelled(new Promise(() => undefined), run(cancel.signal), 'while the account was checked');
    cancel.abort();
    await assert.rejects(waiting, (error) => error instanceof CancelledError && error.message === 'The run was cancelled while the account was checked.');
  });
});
