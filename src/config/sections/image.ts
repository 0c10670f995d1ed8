import { isImageReference } from '../image-reference.js';
import type { BuildConfig } from '../types.js';
import { CONTROL, ENV_NAME, ENV_NAME_HELP, type Reader } from './reader.js';

/** The image section: how the release's image is built and where it is kept, or which prebuilt image it is. */

const REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?(?:\/[a-z0-9._-]+)*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

function isRelativePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.startsWith('-') && !path.split(/[\\/]/).includes('..') && !CONTROL.test(path);
}

export function readImage(r: Reader): BuildConfig {
  const dockerfile = r.text('dockerfile');
  if (!isRelativePath(dockerfile)) r.fail('dockerfile', dockerfile, 'is not allowed: use a path inside the repository, relative, without ..');
  const context = r.text('context');
  if (!isRelativePath(context)) r.fail('context', context, 'is not allowed: use a folder inside the repository, relative, without ..');
  const buildArgs = r.variables('build-args', ENV_NAME, ENV_NAME_HELP);
  const target = r.text('target');
  if (target !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) r.fail('target', target, 'is not allowed: use a stage name of letters, digits, _, . and -');
  const platform = r.text('platform');
  if (platform !== '' && !PLATFORM.test(platform)) r.fail('platform', platform, 'is not allowed: use os/architecture, e.g. linux/amd64 or linux/arm64');
  const registry = r.text('registry').replace(/\/+$/, '');
  if (registry !== '' && !REGISTRY.test(registry)) r.fail('registry', registry, 'is not allowed: use a registry host with an optional port and path, e.g. ghcr.io/my-org, without a scheme');
  const registryUsername = r.text('registry-username');
  const registryPassword = r.text('registry-password');
  if (registry === '' && (registryUsername !== '' || registryPassword !== '')) {
    r.fail(registryUsername !== '' ? 'registry-username' : 'registry-password', registryUsername, 'is only used with registry: ECR needs no password, the action signs in with the AWS credentials');
  }
  if (registryUsername !== '' && CONTROL.test(registryUsername)) r.fail('registry-username', registryUsername, 'has a control character: use printable characters only');
  const image = r.text('image');
  if (image !== '' && !isImageReference(image)) r.fail('image', image, 'is not allowed: use repository[:tag][@sha256:digest], e.g. ghcr.io/org/app:v1.4.2');
  const keepImages = r.integer('keep-images', 1, 1000);
  return {
    dockerfile,
    context,
    buildArgs,
    ...(target ? { target } : {}),
    ...(platform ? { platform } : {}),
    ...(registry ? { registry } : {}),
    ...(registryUsername ? { registryUsername } : {}),
    ...(registryPassword ? { registryPassword } : {}),
    ...(image ? { image } : {}),
    keepImages,
  };
}
