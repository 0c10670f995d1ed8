import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layout's direction: no folder of src/ imports another that imports it back, directly or
 * through a third. Read from the sources' own import statements, so a new file is checked the
 * day it is written. Each file at the root of src/ (wiring, main, cli) is a node of its own.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
/** Static imports and re-exports, and dynamic import() of a relative path. */
const IMPORT = /(?:(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+|\bimport\(\s*)'(\.{1,2}\/[^']+)'/g;

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of src/ a file belongs to; a file at its root (an entry point) stands for itself. */
function folderOf(path: string): string {
  const parts = relative(ROOT, path).replace(/\.js$/, '.ts').split(sep);
  return parts[0]!;
}

/** Folder -> the folders its files import from (itself excluded), with one file that shows each edge. */
export function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(resolve(dirname(file), match[1]!));
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(ROOT, file)} imports ${match[1]}`);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files that make its edges. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const walk = (node: string, path: string[]) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        found.push(loop.slice(0, -1).map((folder, index) => graph.get(folder)!.get(loop[index + 1]!)!));
      } else if (!state.has(next)) walk(next, path);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) walk(node, []);
  return found;
}

describe('the layout', () => {
  test('no two folders of src/ import each other, directly or through a third', () => {
    const graph = folderGraph(sources(ROOT));
    assert.ok(graph.size > 10, 'every folder of src/ is read');
    assert.deepEqual(cycles(graph), []);
  });

  test('the check finds a cycle through a third folder, with the imports that make it', () => {
    const graph = new Map([
      ['engine', new Map([['stacks', 'engine/plan.ts imports ../stacks/catalogue.js']])],
      ['stacks', new Map([['templates', 'stacks/base.ts imports ../templates/base.js']])],
      ['templates', new Map([['engine', 'templates/base.ts imports ../engine/ports.js']])],
    ]);
    assert.deepEqual(cycles(graph), [['engine/plan.ts imports ../stacks/catalogue.js', 'stacks/base.ts imports ../templates/base.js', 'templates/base.ts imports ../engine/ports.js']]);
  });

  test('pure folders import neither adapters nor presentation', () => {
    const graph = folderGraph(sources(ROOT));
    for (const pure of ['config', 'stacks', 'platforms', 'templates', 'cost', 'engine']) {
      const reaches = [...(graph.get(pure)?.keys() ?? [])];
      assert.deepEqual(reaches.filter((folder) => ['aws', 'build', 'github', 'http', 'terminal', 'report'].includes(folder) || folder.endsWith('.ts')), [], `${pure} imports ${reaches.join(', ')}`);
    }
  });
});
