/**
 * Amazon ECR's lifecycle policy evaluation, as AWS documents it ("Lifecycle policies in Amazon
 * ECR": how they work, and the lifecycle policy properties), for tests: the emulator stores a
 * policy but never applies it. Given a policy's text and the images of a repository, it says
 * which images the policy expires.
 *
 * - Rules are evaluated from the lowest rulePriority to the highest; a rule with tagStatus
 *   `any` must have the highest priority.
 * - An image is expired by exactly one or zero rules. An image that matches the tagging
 *   requirements of a rule cannot be expired by a rule with a lower priority (a higher
 *   rulePriority value).
 * - A rule still counts the images that higher priority rules matched, as if they had not been
 *   expired, but it never marks them.
 * - `tagged` needs tagPrefixList or tagPatternList: an image matches when every prefix (or
 *   pattern, `*` any characters) matches at least one of its tags. `untagged` matches images
 *   with no tag; `any` matches every image.
 * - imageCountMoreThan: the matching images, youngest first by push time; those after the first
 *   countNumber expire. sinceImagePushed (days): those pushed more than countNumber days ago expire.
 */

export interface RepositoryImage {
  readonly digest: string;
  readonly tags: readonly string[];
  /** Epoch milliseconds. */
  readonly pushedAt: number;
}

interface Selection {
  readonly tagStatus: 'tagged' | 'untagged' | 'any';
  readonly tagPrefixList?: readonly string[];
  readonly tagPatternList?: readonly string[];
  readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
  readonly countUnit?: 'days';
  readonly countNumber: number;
}

interface Rule {
  readonly rulePriority: number;
  readonly selection: Selection;
  readonly action: { readonly type: 'expire' };
}

const DAY_MS = 86_400_000;

function patternMatches(pattern: string, tag: string): boolean {
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return expression.test(tag);
}

function matches(selection: Selection, image: RepositoryImage): boolean {
  if (selection.tagStatus === 'any') return true;
  if (selection.tagStatus === 'untagged') return image.tags.length === 0;
  const prefixes = selection.tagPrefixList ?? [];
  const patterns = selection.tagPatternList ?? [];
  if (prefixes.length === 0 && patterns.length === 0) throw new Error('a tagged rule needs tagPrefixList or tagPatternList');
  return prefixes.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix))) && patterns.every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)));
}

function validate(rules: readonly Rule[]): void {
  const priorities = rules.map((rule) => rule.rulePriority);
  if (new Set(priorities).size !== priorities.length) throw new Error('rulePriority values must be unique');
  const any = rules.filter((rule) => rule.selection.tagStatus === 'any');
  if (any.length > 1 || (any[0] && any[0].rulePriority !== Math.max(...priorities))) throw new Error('the rule on tagStatus any must have the highest rulePriority');
  if (rules.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) throw new Error('only one rule may select untagged images');
}

/** The digests the policy expires, for images as they are at `now`. */
export function expiredBy(policyText: string, images: readonly RepositoryImage[], now: number): Set<string> {
  const rules = [...(JSON.parse(policyText) as { rules: Rule[] }).rules].sort((a, b) => a.rulePriority - b.rulePriority);
  validate(rules);
  const expired = new Set<string>();
  /** Images a higher priority rule matched: no later rule may expire them. */
  const claimed = new Set<string>();
  for (const rule of rules) {
    const selected = images.filter((image) => matches(rule.selection, image));
    const { countType, countNumber } = rule.selection;
    const over = countType === 'imageCountMoreThan'
      ? [...selected].sort((a, b) => b.pushedAt - a.pushedAt).slice(countNumber)
      : selected.filter((image) => now - image.pushedAt > countNumber * DAY_MS);
    for (const image of over) if (!claimed.has(image.digest)) expired.add(image.digest);
    for (const image of selected) claimed.add(image.digest);
  }
  return expired;
}
