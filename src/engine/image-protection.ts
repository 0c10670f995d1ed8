import type { Config } from '../config/types.js';
import type { EngineDeps } from './context.js';

/**
 * The images an environment still needs are kept from the registry's expiry, whatever else is
 * pushed: the serving release's, those kept warm, the last good one. A release's image is
 * protected before its stack is applied (its instances pull it), and a run that judged which
 * releases stay protects exactly those afterwards. Previews are left to the count of the
 * lifecycle policy: they live for days, and a protection left by a preview that was never
 * destroyed would keep its image for ever.
 *
 * A failure here is a warning: the release is live, and the next run protects again.
 */
export async function protectImages(config: Config, deps: Pick<EngineDeps, 'images' | 'log'>, versions: readonly string[], only: boolean, signal?: AbortSignal): Promise<void> {
  if (config.preview !== undefined) return;
  const unique = [...new Set(versions.filter((version) => version !== ''))];
  try {
    await deps.images.protect(config.environment, unique, only, signal);
  } catch (error) {
    deps.log.warning(`The images of ${unique.join(', ') || 'no release'} were not protected from the registry's expiry: ${(error as Error).message}`);
  }
}
