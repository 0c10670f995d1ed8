import { runPost as endDanglingDeployment } from './github/post.js';

/**
 * The post step: a deployment the main step did not end (cancelled, crashed) is marked failed.
 * Named `run`, as main.ts's is, so that @github/local-action can run it as the post entrypoint.
 */
export async function run(): Promise<void> {
  await endDanglingDeployment();
}
