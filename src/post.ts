import { runPost as endDanglingDeployment } from './github/post.js';

/** The post step: a deployment the main step did not end (cancelled, crashed) is marked failed. */
export async function runPost(): Promise<void> {
  await endDanglingDeployment();
}
