/**
 * Ports whose adapter, and the SDK client under it, load on the port's first call. Each SDK
 * client is a module of its own in the build, and most runs call a few of them: the action's
 * first request is not held up by the modules of services it may never call.
 */

/** The methods a port has: every one listed, none more (the compiler checks both). */
export type Methods<T> = Readonly<Record<keyof T, true>>;

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never };

/**
 * A port that loads its adapter when one of its methods is first called. Only for ports
 * whose every method returns a promise, so callers cannot tell the difference. A load that
 * fails is tried again on the next call.
 */
export function onFirstUse<T extends AsyncMethods<T>>(methods: Methods<T>, load: () => Promise<T>): T {
  let loading: Promise<T> | undefined;
  const port = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  const entries = Object.keys(methods).map((name) => [name, async (...args: unknown[]) => {
    const loaded = await port();
    return (loaded[name as keyof T] as (...args: unknown[]) => Promise<unknown>).apply(loaded, args);
  }]);
  return Object.fromEntries(entries) as T;
}

/** One value made on first request, then shared: an SDK client several adapters use. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}
