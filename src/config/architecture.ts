/**
 * The processor architecture of an EC2 instance type, which decides the machine image the
 * instances boot. AWS names Graviton (arm64) families with a `g` right after the generation
 * (t4g, m7g, c7gn, r8g, im4gn, is4gen, x2gd, g5g, hpc7g); the first Graviton family is a1.
 * Every other family is x86_64.
 */

export type Architecture = 'x86_64' | 'arm64';

// prefix letters, generation digits, then the attribute letters (d, n, e, i, a, flex, ...).
const FAMILY = /^([a-z]+)(\d+)([a-z0-9-]*)$/;

export function architectureOf(instanceType: string): Architecture {
  const family = instanceType.split('.')[0] ?? '';
  if (family === 'a1') return 'arm64';
  const attributes = FAMILY.exec(family)?.[3] ?? '';
  return attributes.startsWith('g') ? 'arm64' : 'x86_64';
}
