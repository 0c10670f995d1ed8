import * as core from '@actions/core';
import { run } from './main.js';
import { runPost } from './post.js';

// action.yml runs this file twice: as the step, then as its post step (always()).
if (core.getState('is-post') === 'true') {
  await runPost();
} else {
  core.saveState('is-post', 'true');
  await run().catch((error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error)));
}
