import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, cancelledAs } from '../../src/engine/context.js';
import { StackFailure } from '../../src/engine/ports.js';

describe('work stopped by the run’s cancellation says so in people’s words', () => {
  test('gives the work its own result when nobody cancels', async () => {
    assert.equal(await cancelledAs(Promise.resolve(42), { signal: new AbortController().signal }, 'while testing'), 42);
  });

  test('an aborted request becomes the sentence of what the run was doing', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    await assert.rejects(cancelledAs(Promise.reject(aborted), cancel, 'before the release was deployed'), (error) => error instanceof CancelledError && error.message === 'The run was cancelled before the release was deployed.');
  });

  test("keeps a stack's own account of where it stopped", async () => {
    const cancel = new AbortController();
    cancel.abort();
    const stopped = new StackFailure('The run was cancelled while stack wimpy-base was UPDATE_IN_PROGRESS', 'wimpy-base');
    await assert.rejects(cancelledAs(Promise.reject(stopped), cancel, 'before the release was deployed'), (error) => error === stopped);
  });

  test('a failure of a run nobody cancelled stays what it was', async () => {
    const failure = new Error('AccessDenied');
    await assert.rejects(cancelledAs(Promise.reject(failure), { signal: new AbortController().signal }, 'while testing'), (error) => error === failure);
  });
});
