import type { Config } from '../config/types.js';
import { accountBaseline } from './account-baseline.js';
import { applicationDatabase } from './application-database.js';
import { applicationLoadBalancer } from './application-load-balancer.js';
import { applicationRelease } from './application-release.js';
import { applicationResources } from './application-resources.js';
import { applicationSchedules } from './application-schedules.js';
import { environmentNetwork } from './environment-network.js';
import type { StackKind, StackPhase } from './kind.js';
import type { StackSpec } from './spec.js';

/**
 * Every kind of stack the product makes. The order of this list does not matter: plan, apply
 * and destroy derive theirs from each kind's `dependsOn` (waves, below). A new kind is a module
 * beside these and one entry here.
 */
export const CATALOGUE: readonly StackKind[] = [accountBaseline, environmentNetwork, applicationLoadBalancer, applicationResources, applicationDatabase, applicationRelease, applicationSchedules];

/** Whether the configuration has a stack of the kind. */
export function applies(kind: StackKind, config: Config): boolean {
  return kind.applies?.(config) ?? true;
}

/**
 * The kinds, in waves, that the configuration has stacks of: a kind it has none of (no database)
 * is left out, and so are the dependencies on it, so the waves close up behind it.
 */
export function wavesFor(config: Config, kinds: readonly StackKind[] = CATALOGUE): Placed[] {
  const absent = new Set(kinds.filter((kind) => !applies(kind, config)).map((kind) => kind.id));
  if (absent.size === 0) return waves(kinds);
  return waves(kinds.filter((kind) => !absent.has(kind.id)).map((kind) => ({ ...kind, dependsOn: kind.dependsOn.filter((id) => !absent.has(id)) })));
}

/** A kind with the wave it is applied in: every kind of a wave only imports from earlier waves. */
export interface Placed {
  readonly kind: StackKind;
  readonly wave: number;
}

/**
 * The kinds in the order of their imports, each in the first wave after everything it depends
 * on. Raises on a dependency the catalogue does not hold or on a cycle: both are a kind's mistake.
 */
export function waves(kinds: readonly StackKind[] = CATALOGUE): Placed[] {
  const byId = new Map(kinds.map((kind) => [kind.id, kind]));
  const wave = new Map<string, number>();
  const place = (kind: StackKind, path: readonly string[]): number => {
    const known = wave.get(kind.id);
    if (known !== undefined) return known;
    if (path.includes(kind.id)) throw new Error(`The stack kinds depend on each other in a cycle: ${[...path, kind.id].join(' -> ')}.`);
    const after = kind.dependsOn.map((id) => {
      const dependency = byId.get(id);
      if (!dependency) throw new Error(`The stack kind ${kind.id} depends on ${id}, which the catalogue does not hold.`);
      return place(dependency, [...path, kind.id]);
    });
    const own = Math.max(0, ...after) + 1;
    wave.set(kind.id, own);
    return own;
  };
  return kinds.map((kind) => ({ kind, wave: place(kind, []) })).sort((a, b) => a.wave - b.wave);
}

/** The kinds a phase applies, in waves: those the configuration has stacks of. */
export function phaseKinds(phase: StackPhase, config: Config, kinds: readonly StackKind[] = CATALOGUE): Placed[] {
  return wavesFor(config, kinds).filter((placed) => placed.kind.phase === phase);
}

/**
 * The kinds a destroy removes, in reverse order of their imports (what imports goes first):
 * the application's own kinds, and with destroy-environment the environment's too. A preview
 * never removes what it shares with staging.
 */
export function removalOrder(config: Config, scope: 'destroy' | 'destroy-environment', kinds: readonly StackKind[] = CATALOGUE): StackKind[] {
  return waves(kinds)
    .reverse()
    .map((placed) => placed.kind)
    .filter((kind) => kind.removal.by === scope && !(config.preview !== undefined && kind.previews === 'shared'));
}

/** The names of the stacks a kind depends on, for a run's configuration: the edges of the plan's picture. */
export function dependencyNames(kind: StackKind, config: Config, kinds: readonly StackKind[] = CATALOGUE): string[] {
  return kind.dependsOn.map((id) => kinds.find((other) => other.id === id)!).filter((other) => applies(other, config)).map((other) => other.name(config));
}

/** A kind's stack as `plan` sees it, from the configuration alone. */
export function plannedSpec<Facts>(kind: StackKind<Facts>, config: Config): StackSpec {
  return kind.spec(config, kind.planned(config).facts);
}
