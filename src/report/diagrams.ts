/**
 * Pictures for GitHub: Mermaid diagrams of the stacks a run applies, of the traffic it moved and
 * of the releases that exist. GitHub renders a ```mermaid block in job summaries, pull request
 * comments and Markdown files, so a picture needs no image hosting and stays text in the log.
 *
 * The diagrams are drawn from the same data as the tables beside them (the tables stay, for
 * screen readers and for the terminal, which prints no diagram). Every value that comes from a
 * person or from AWS goes through `label`, and node identifiers are made here, never taken from
 * a value, so no version, stack name or reason can change a diagram's structure or leave its
 * code block. Arrows are Mermaid's thick `==>` rather than `-->`, so that the only `-->` in a
 * pull request comment stays the end of its hidden marker.
 */

/**
 * Mermaid's own limits as GitHub runs it: a diagram over `maxTextSize` (50,000 characters) is
 * not drawn, nor one over `maxEdges` (500). Ours stay far below both, and far below what a pull
 * request comment may hold (65,536 characters in all), by drawing at most MAX_NODES nodes and
 * saying how many more there are.
 */
export const MAX_DIAGRAM_CHARS = 10_000;
export const MAX_NODES = 40;

/**
 * A value as Mermaid label text. Letters, digits, spaces and a few harmless marks stay as they
 * are; every other character becomes Mermaid's numeric entity (`#35;` is `#`), which Mermaid
 * decodes for display. So quotes, brackets, pipes, backticks, `<`, new lines and `%%` cannot
 * end a label, start a comment, open HTML or close the fenced block.
 */
export function label(value: string): string {
  return Array.from(value.replace(/\s+/g, ' '))
    .map((char) => (/^[A-Za-z0-9 .,:/+=-]$/.test(char) ? char : `#${char.codePointAt(0)};`))
    .join('');
}

/** Lines of a diagram as a fenced Mermaid block, or undefined when it would pass GitHub's limits. */
export function mermaid(lines: readonly string[]): string | undefined {
  const body = lines.join('\n');
  if (body.length > MAX_DIAGRAM_CHARS) return undefined;
  return `\`\`\`mermaid\n${body}\n\`\`\``;
}

/** What a run does, or would do, to one stack. */
/** `apply`: a plan made without reading the account, which cannot tell a new stack from an update. */
export type StackAction = 'apply' | 'create' | 'update' | 'unchanged' | 'remove' | 'failed';

export interface StackNode {
  readonly name: string;
  /** Stacks of one wave are applied side by side; a wave starts when the one before it ends. */
  readonly wave: number;
  readonly action: StackAction;
  /** Resource changes in the change set, and how many of them replace a resource. */
  readonly changes?: number;
  readonly replacements?: number;
  /** Stacks this one reads from (exports, names): drawn as arrows from them. */
  readonly dependsOn?: readonly string[];
  /** The estimated monthly cost, already formatted (e.g. "≈ 16 USD/month"). */
  readonly cost?: string;
}

const ACTION_WORDS: Readonly<Record<StackAction, string>> = {
  apply: 'to apply',
  create: 'create',
  update: 'update',
  unchanged: 'unchanged',
  remove: 'remove',
  failed: 'failed',
};

function stackCaption(stack: StackNode): string {
  const parts = [ACTION_WORDS[stack.action]];
  if (stack.action === 'update' && stack.changes !== undefined) {
    parts[0] = `update: ${stack.changes} ${stack.changes === 1 ? 'change' : 'changes'}`;
    if (stack.replacements) parts.push(`${stack.replacements} replaced`);
  }
  if (stack.cost) parts.push(stack.cost);
  return parts.join(', ');
}

/** Colours that say the action without reading it (the words are in the node as well). */
const CLASS_DEFINITIONS = [
  'classDef apply fill:#ddf4ff,stroke:#0969da,color:#1f2328',
  'classDef create fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
  'classDef update fill:#fff8c5,stroke:#9a6700,color:#1f2328',
  'classDef unchanged fill:#f6f8fa,stroke:#8c959f,color:#57606a',
  'classDef remove fill:#ffebe9,stroke:#cf222e,color:#1f2328',
  'classDef failed fill:#ffebe9,stroke:#cf222e,stroke-width:3px,color:#1f2328',
];

/**
 * The stacks in their waves, left to right: what each depends on, and what happens to it.
 * Without explicit dependencies, each wave is drawn as depending on the wave before it.
 */
export function stacksDiagram(stacks: readonly StackNode[]): string | undefined {
  if (stacks.length === 0) return undefined;
  const shown = stacks.slice(0, MAX_NODES);
  const ids = new Map(shown.map((stack, index) => [stack.name, `s${index}`]));
  const waves = [...new Set(shown.map((stack) => stack.wave))].sort((a, b) => a - b);
  const lines = ['flowchart LR'];
  for (const wave of waves) {
    lines.push(`  subgraph w${wave}["wave ${wave}"]`, '    direction TB');
    for (const stack of shown.filter((s) => s.wave === wave)) {
      lines.push(`    ${ids.get(stack.name)}["${label(stack.name)}<br/>${label(stackCaption(stack))}"]:::${stack.action}`);
    }
    lines.push('  end');
  }
  const explicit = shown.some((stack) => stack.dependsOn !== undefined);
  if (explicit) {
    for (const stack of shown) {
      for (const dependency of stack.dependsOn ?? []) {
        const from = ids.get(dependency);
        if (from) lines.push(`  ${from} ==> ${ids.get(stack.name)}`);
      }
    }
  } else {
    for (const [index, wave] of waves.entries()) if (index > 0) lines.push(`  w${waves[index - 1]} ==> w${wave}`);
  }
  if (stacks.length > shown.length) lines.push(`  more["${label(`and ${stacks.length - shown.length} more stacks`)}"]`);
  lines.push(...CLASS_DEFINITIONS.map((line) => `  ${line}`));
  return mermaid(lines);
}

/** One step of a rollout: the shares it set and how it ended. */
export interface TrafficStep {
  /** Each release's percentage after the step, most first. */
  readonly shares: readonly { readonly release: string; readonly weight: number }[];
  /** How long the step was watched, already formatted (e.g. "60 s"); absent: not watched. */
  readonly watched?: string;
  /** A step that sent traffic back says why (an alarm, a failed check, a cancellation). */
  readonly reverted?: string;
}

/** One line per release, each label escaped on its own. */
function sharesLines(step: TrafficStep): string {
  return step.shares.map((share) => label(`${share.release} ${share.weight} %`)).join('<br/>');
}

/**
 * The traffic over one run, a step per box from left to right: each step's shares and how long
 * it was watched; a revert is drawn as a red box after the step that caused it, with the reason.
 */
export function trafficDiagram(steps: readonly TrafficStep[]): string | undefined {
  if (steps.length === 0) return undefined;
  const shown = steps.slice(0, MAX_NODES);
  const lines = ['flowchart LR'];
  let previous: string | undefined;
  for (const [index, step] of shown.entries()) {
    const id = `t${index}`;
    const watched = step.watched ? `<br/>${label(`watched ${step.watched}`)}` : '';
    const kind = step.reverted ? 'reverted' : index === shown.length - 1 ? 'final' : 'step';
    const heading = label(step.reverted ? 'all back' : `step ${index + 1}`);
    lines.push(`  ${id}["${heading}<br/>${sharesLines(step)}${watched}"]:::${kind}`);
    if (previous) {
      lines.push(step.reverted ? `  ${previous} ==>|${label(step.reverted)}| ${id}` : `  ${previous} ==> ${id}`);
    }
    previous = id;
  }
  if (steps.length > shown.length) lines.push(`  ${previous} ==> more["${label(`and ${steps.length - shown.length} more steps`)}"]`);
  lines.push(
    '  classDef step fill:#ddf4ff,stroke:#0969da,color:#1f2328',
    '  classDef final fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
    '  classDef reverted fill:#ffebe9,stroke:#cf222e,stroke-width:3px,color:#1f2328',
  );
  return mermaid(lines);
}

/** What a release is to the application right now. */
export type ReleaseRole = 'serving' | 'canary' | 'warm' | 'last good' | 'old';

export interface ReleaseNode {
  readonly version: string;
  readonly weight: number;
  readonly role: ReleaseRole;
  /** Its age, already formatted (e.g. "3 h"). */
  readonly age?: string;
}

const ROLE_CLASS: Readonly<Record<ReleaseRole, string>> = {
  serving: 'serving',
  canary: 'canary',
  warm: 'warm',
  'last good': 'lastgood',
  old: 'old',
};

/**
 * The releases behind the application's hostname: an arrow with its share to each release that
 * has traffic, and the others beside it with what they are kept for (warm, last good).
 */
export function releasesDiagram(hostname: string, releases: readonly ReleaseNode[]): string | undefined {
  if (releases.length === 0) return undefined;
  const shown = releases.slice(0, MAX_NODES);
  const lines = ['flowchart LR', `  host(["${label(hostname)}"])`];
  for (const [index, release] of shown.entries()) {
    const id = `r${index}`;
    const facts = [release.role, ...(release.age ? [release.age] : [])].join(', ');
    lines.push(`  ${id}["${label(release.version)}<br/>${label(facts)}"]:::${ROLE_CLASS[release.role]}`);
    lines.push(release.weight > 0 ? `  host ==>|${label(`${release.weight} %`)}| ${id}` : `  host -.-|0 %| ${id}`);
  }
  if (releases.length > shown.length) lines.push(`  more["${label(`and ${releases.length - shown.length} more releases`)}"]`);
  lines.push(
    '  classDef serving fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
    '  classDef canary fill:#fff8c5,stroke:#9a6700,color:#1f2328',
    '  classDef warm fill:#ddf4ff,stroke:#0969da,color:#1f2328',
    '  classDef lastgood fill:#ddf4ff,stroke:#0969da,stroke-dasharray:4,color:#1f2328',
    '  classDef old fill:#f6f8fa,stroke:#8c959f,color:#57606a',
  );
  return mermaid(lines);
}
