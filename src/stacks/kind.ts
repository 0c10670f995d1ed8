import type { DomainFacts } from '../config/domains.js';
import type { Config } from '../config/types.js';
import type { StackSpec, StackSummary } from './spec.js';

/**
 * One kind of stack, in one module: its name, its template and parameters, what it imports
 * from, who shares it, and how it goes. Plan, apply and destroy read these answers from the
 * catalogue (catalogue.ts) and write none of them down themselves, so a new kind is a module
 * here and a line in the catalogue.
 */

/** The phase of a run that applies the kind (`steps`). */
export type StackPhase = 'environment' | 'deploy';

/** What a kind may read from the account before it builds its stack: only reads. */
export interface AccountReads {
  describe(name: string): Promise<StackSummary | undefined>;
  list(tags: Readonly<Record<string, string>>): Promise<StackSummary[]>;
  logGroupExists(name: string): Promise<boolean>;
  /**
   * The zone's wildcard certificate, which a run that deploys looks up (requesting it once per
   * zone, as it always has); absent for a plan, which requests nothing.
   */
  readonly certificate?: () => Promise<string>;
  /**
   * Where the environment's domains live (checked against Route 53 before any change) and,
   * for a run that deploys, their certificates; absent when the run has no account to read.
   */
  readonly domains?: () => Promise<DomainFacts>;
}

/** The facts a kind's stack is built from, with what people must read about them. */
export interface Resolved<Facts> {
  readonly facts: Facts;
  /** A setting the account keeps over the run's input (see shared-settings.ts). */
  readonly warning?: string;
}

/** What `plan` assumes without credentials, and which values it leaves to the deploy. */
export interface Planned<Facts> {
  readonly facts: Facts;
  readonly resolvedAtDeploy: readonly string[];
}

/**
 * How a kind's stacks go. `never`: no command removes them. `destroy`: with the application
 * (destroy, a closed preview, an expired one). `destroy-environment`: only when destroy is asked
 * for the environment too, turning the stack's termination protection off first.
 */
export type Removal =
  | { readonly by: 'never'; readonly why: string }
  | {
      readonly by: 'destroy' | 'destroy-environment';
      /** The tags a stack must carry to be removed: a stack of another owner is refused. */
      owner(config: Config): Readonly<Record<string, string>>;
      /** The stack has termination protection: turned off first, as the removal was asked for. */
      readonly protected?: boolean;
    };

export interface StackKind<Facts = unknown> {
  /** The kind's name in the catalogue, and in other kinds' `dependsOn`. */
  readonly id: string;
  readonly phase: StackPhase;
  /** The kinds whose exports its template imports: they are applied before it, removed after it. */
  readonly dependsOn: readonly string[];
  /**
   * `shared`: a preview runs on the stack staging has (created as staging's first run would
   * create it when there is none yet), never changing or removing it. `own`: a preview has its own.
   */
  readonly previews: 'shared' | 'own';
  readonly removal: Removal;
  /** Whether the run's configuration has a stack of this kind (a database only with `database`); absent: always. */
  applies?(config: Config): boolean;
  /** The stack's name for the run (a release kind names the run's version). */
  name(config: Config): string;
  /** One line on what it holds, as the plan shows it. */
  purpose(config: Config): string;
  /** Whom else the stack serves, as the cost estimate says it; undefined when it is the application's alone. */
  sharedBy(config: Config): string | undefined;
  /** How many stacks of the kind an application keeps in its environment (blue-green keeps warm releases). */
  copies?(config: Config): number;
  /**
   * What only the account knows, read before the stack is built; the environment phase reads
   * every kind's side by side. A kind without reads is built from its planned facts.
   */
  read?(config: Config, account: AccountReads): Promise<Resolved<Facts>>;
  planned(config: Config): Planned<Facts>;
  spec(config: Config, facts: Facts): StackSpec;
  /** Its stacks among the application's own in the environment (as listed by their tags), to remove. */
  stacksToRemove(config: Config, own: readonly StackSummary[]): string[];
}
