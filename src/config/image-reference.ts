/**
 * The one grammar of a Docker image reference, `[host[:port]/]path[:tag][@sha256:digest]`, as
 * docker reads it: what the `image` input accepts, how a reference splits into its parts, which
 * registry holds it, and how a release names its image pinned by digest.
 */

export interface ImageReference {
  /** host/path, without tag or digest. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const REFERENCE = /^(?:[a-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Whether `text` is a reference docker would pull: lowercase repository, optional tag, optional sha256 digest. */
export function isImageReference(text: string): boolean {
  return REFERENCE.test(text);
}

/** Splits repository[:tag][@sha256:...]: a colon after the last slash starts the tag (before it, a port). */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const name = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  return {
    repository: tagged ? name.slice(0, colon) : name,
    ...(tagged ? { tag: name.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** The registry host of an image reference: docker.io when its first part is no host (no dot, no port, not localhost). */
export function registryOf(image: string): string {
  const [first, ...rest] = image.split('/');
  const isHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  return isHost ? first! : 'docker.io';
}

/** The image as every instance runs it: pinned by its digest, `repository@sha256:...`. */
export function pinnedImage(image: { readonly repository: string; readonly digest: string }): string {
  return `${image.repository}@${image.digest}`;
}
