/**
 * Writes every template the product renders (see sample-templates.ts) as JSON files into the
 * folder given as the first argument, so that AWS's linter (cfn-lint) can check them:
 *   node lib/scripts/render-templates.js OUT_DIR && cfn-lint OUT_DIR/*.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleTemplates } from './sample-templates.js';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: render-templates OUT_DIR');
  process.exit(2);
}
mkdirSync(folder, { recursive: true });
const templates = Object.entries(sampleTemplates());
for (const [name, template] of templates) writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(template, null, 2)}\n`);
console.log(`${templates.length} templates written to ${folder}`);
