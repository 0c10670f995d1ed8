/**
 * Writes every template the product renders, for typical configurations, as JSON files into
 * the folder given as the first argument, so that AWS's linter (cfn-lint) can check them:
 *   node lib/scripts/render-templates.js OUT_DIR && cfn-lint OUT_DIR/*.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../src/config/read-config.js';
import type { Config } from '../src/config/types.js';
import type { Template } from '../src/engine/ports.js';
import { applicationInput, applicationTemplate } from '../src/templates/application.js';
import { baseTemplate } from '../src/templates/base.js';
import { environmentTemplate } from '../src/templates/environment.js';
import { cidrFor } from '../src/templates/network.js';
import { resourcesTemplate } from '../src/templates/resources.js';

const SAMPLE_INPUTS: Readonly<Record<string, string>> = {
  'application-name': 'awesome-application',
  'application-port': '8080',
  'hosted-zone': 'example.com',
};
const SAMPLE_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

function sampleConfig(inputs: Record<string, string>, pullRequest?: number): Config {
  const all = { ...SAMPLE_INPUTS, ...inputs };
  const intent = pullRequest === undefined ? { kind: 'as-configured' as const } : { kind: 'preview-deploy' as const, pullRequest };
  return readConfig((name) => all[name], { sha: SAMPLE_SHA, intent });
}

const application = (config: Config): Template => applicationTemplate(applicationInput(config));

function renderAll(): Record<string, Template> {
  const rolling = sampleConfig({ environment: 'staging', strategy: 'rolling' });
  const blueGreen = sampleConfig({ environment: 'production', strategy: 'blue-green' });
  const preview = sampleConfig({}, 42);
  const resources = (environment: string) => resourcesTemplate({ application: rolling.application, environment, networkEnvironment: environment, port: rolling.port, logRetentionDays: rolling.logRetentionDays });
  return {
    'base': baseTemplate({ cloudTrail: true }),
    'base-without-cloudtrail': baseTemplate({ cloudTrail: false }),
    'environment-production': environmentTemplate({ environment: 'production', cidr: cidrFor('production', []) }),
    'environment-staging': environmentTemplate({ environment: 'staging', cidr: cidrFor('staging', []) }),
    'environment-qa': environmentTemplate({ environment: 'qa', cidr: cidrFor('qa', ['10.0.0.0/16', '10.1.0.0/16']) }),
    'resources-staging': resources('staging'),
    'resources-production': resources('production'),
    'application-rolling': application(rolling),
    'application-blue-green': application(blueGreen),
    'application-preview': application(preview),
  };
}

const folder = process.argv[2];
if (!folder) {
  console.error('usage: render-templates OUT_DIR');
  process.exit(2);
}
mkdirSync(folder, { recursive: true });
const templates = Object.entries(renderAll());
for (const [name, template] of templates) writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(template, null, 2)}\n`);
console.log(`${templates.length} templates written to ${folder}`);
