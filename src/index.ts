import * as core from '@actions/core';
import { run } from './main.js';
import { run as runPost } from './post.js';

// action.yml runs this file twice: as the step, then as its post step (always()).
if (core.getState('is-post') === 'true') {
  await runPost();
} else {
  core.saveState('is-post', 'true');
  await run().catch((error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error)));
  // The run has reported. A cancelled run leaves requests in flight that no signal reaches (its
  // other branches, a silent endpoint): they would hold the step open until the runner kills
  // it. Exit once the log is flushed, with the code setFailed chose.
  process.stdout.write('', () => process.exit());
}
