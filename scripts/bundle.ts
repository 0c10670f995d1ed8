/**
 * `npm run bundle`: one minified build of the action (dist/index.js, which action.yml runs as
 * main and post) and the terminal (dist/cli/index.js, package.json's `bin`). The two entries
 * share their code through chunks instead of each carrying a copy, and every SDK client an
 * adapter loads on first use (`import()`) is a chunk of its own, so a run reads only the
 * clients it calls. The licences of every package in the build go to dist/licenses.txt.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
/** What the runner downloads for every job that uses the action. */
export const DIST_BUDGET_BYTES = 2_500_000;

/** A package's folder for a path inside node_modules (the innermost, for nested copies). */
function packageDirOf(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Each licence text once, under every package (name@version) that ships it. */
export function licensesText(metafile: Metafile): string {
  const dirs = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const dir = packageDirOf(input);
      if (dir) dirs.add(dir);
    }
  }
  const byText = new Map<string, string[]>();
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = readdirSync(join(root, dir)).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = `${manifest.license ?? 'no licence field'}\n${file ? readFileSync(join(root, dir, file), 'utf8').trim() : '(no licence file in the package)'}`;
    byText.set(text, [...(byText.get(text) ?? []), `${manifest.name}@${manifest.version}`]);
  }
  return [...byText]
    .map(([text, names]) => ({ text, names: [...new Set(names)].sort() }))
    .sort((a, b) => a.names[0]!.localeCompare(b.names[0]!))
    .map(({ text, names }) => `${names.join('\n')}\n${text}\n`)
    .join('\n');
}

/**
 * The SDK's schema modules key their traits by constants in computed keys (`{ [_xN]: _II }`,
 * `_xN` being `"xmlName"`). A bundler must assume a computed key may run code, so it keeps every
 * schema that such an object sits in, and every schema those reach: all of a client's, used or
 * not (EC2's alone is over half a megabyte). The same keys written as the strings they are make
 * the same objects, and let the build keep only the schemas the adapters' commands reach.
 */
export function literalSchemaKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name!, value!);
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before: string, name: string) => {
    const value = strings.get(name);
    return value === undefined ? whole : `${before}${value}:`;
  });
}

const schemaKeysPlugin: Plugin = {
  name: 'sdk-schema-keys',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]@aws-sdk[\\/].*[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => ({
      contents: literalSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** Every file under a folder, with its size. */
export function filesUnder(dir: string): { path: string; bytes: number }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: readFileSync(path).length };
    });
}

/** The build of the action and the terminal; the bench builds its yardstick with the same. */
export function buildOptions(entryPoints: Record<string, string>, outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: root,
    entryPoints,
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The SDK's ES modules, not its CommonJS: only the commands the adapters import are kept.
    mainFields: ['module', 'main'],
    // CommonJS packages in the build call require() for Node's own modules.
    banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
    legalComments: 'none',
    plugins: [schemaKeysPlugin],
    metafile: true,
    logLevel: 'warning',
  };
}

export async function bundle(): Promise<number> {
  await rm(dist, { recursive: true, force: true });
  const result = await build(buildOptions({ index: 'lib/src/index.js', 'cli/index': 'lib/src/cli.js' }, 'dist'));
  await writeFile(join(dist, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  await writeFile(join(dist, 'licenses.txt'), licensesText(result.metafile));
  const total = filesUnder(dist).reduce((sum, file) => sum + file.bytes, 0);
  if (total > DIST_BUDGET_BYTES) throw new Error(`dist/ is ${total} bytes, over its budget of ${DIST_BUDGET_BYTES}: a dependency grew, or an import made a chunk load everything.`);
  return total;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const total = await bundle();
  if (!existsSync(join(dist, 'cli', 'index.js'))) throw new Error('dist/cli/index.js was not built');
  console.log(`dist/: ${total} bytes (budget ${DIST_BUDGET_BYTES})`);
}
