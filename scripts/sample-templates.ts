/**
 * Every template the product renders, for typical configurations: each kind of stack, each
 * strategy, previews, the base with and without CloudTrail. AWS's linter (cfn-lint, through
 * render-templates) and AWS's own security rules (cdk-nag, in the unit tests) read this one list,
 * so a new kind of stack is checked by both as soon as it is added here.
 */
import { readConfig } from '../src/config/read-config.js';
import type { Config } from '../src/config/types.js';
import type { Template } from '../src/engine/ports.js';
import { applicationResources } from '../src/stacks/application-resources.js';
import { applicationSchedules } from '../src/stacks/application-schedules.js';
import { plannedSpec } from '../src/stacks/catalogue.js';
import { applicationInput, applicationTemplate } from '../src/platforms/ec2/release-template.js';
import { baseTemplate } from '../src/templates/base.js';
import { databaseTemplate } from '../src/templates/database.js';
import { environmentTemplate } from '../src/templates/environment.js';
import { loadBalancerTemplate } from '../src/templates/load-balancer.js';
import { cidrFor } from '../src/templates/network.js';
import { resourcesTemplate } from '../src/templates/resources.js';

const SAMPLE_INPUTS: Readonly<Record<string, string>> = {
  'application-name': 'awesome-application',
  'application-port': '8080',
  'hosted-zone': 'example.com',
};
const SAMPLE_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

export function sampleConfig(inputs: Record<string, string>, pullRequest?: number): Config {
  const all = { ...SAMPLE_INPUTS, ...inputs };
  const intent = pullRequest === undefined ? { kind: 'as-configured' as const } : { kind: 'preview-deploy' as const, pullRequest };
  return readConfig((name) => all[name], { sha: SAMPLE_SHA, intent });
}

const application = (config: Config): Template => applicationTemplate(applicationInput(config));

/** The templates by a file-friendly name. */
export function sampleTemplates(): Record<string, Template> {
  const rolling = sampleConfig({ environment: 'staging', strategy: 'rolling' });
  const blueGreen = sampleConfig({ environment: 'production', strategy: 'blue-green' });
  const fixedSize = sampleConfig({ environment: 'qa', 'min-size': '2', 'desired-size': '2', 'max-size': '2' });
  const preview = sampleConfig({}, 42);
  const limitedEgress = sampleConfig({ environment: 'qa', egress: 'https,5432,8000-8100' });
  const notifying = sampleConfig({ environment: 'production', strategy: 'blue-green', notify: 'oncall@example.com,arn:aws:sns:eu-west-1:123456789012:alerts' });
  const resources = (environment: string) => resourcesTemplate({ application: rolling.application, environment, networkEnvironment: environment, port: rolling.port, logRetentionDays: rolling.logRetentionDays });
  return {
    'base': baseTemplate({ cloudTrail: true }),
    'base-without-cloudtrail': baseTemplate({ cloudTrail: false }),
    'environment-production': environmentTemplate({ environment: 'production', cidr: cidrFor('production', []) }),
    'environment-staging': environmentTemplate({ environment: 'staging', cidr: cidrFor('staging', []) }),
    'environment-qa': environmentTemplate({ environment: 'qa', cidr: cidrFor('qa', ['10.0.0.0/16', '10.1.0.0/16']) }),
    'environment-with-nat-instance': environmentTemplate({ environment: 'staging', cidr: cidrFor('staging', []), nat: 'instance' }),
    // The application's one load balancer in an environment, its HTTPS listener and certificate.
    'load-balancer-production': loadBalancerTemplate({ application: 'awesome-application', environment: 'production' }),
    // Own domains: an apex, a name two labels below its zone, and redirects over two rules.
    'load-balancer-production-domains': loadBalancerTemplate({
      application: 'awesome-application',
      environment: 'production',
      domains: {
        records: ['example.com', 'a.b.example.com', 'www.example.com', 'shop.example.org', 'r1.example.com', 'r2.example.com', 'r3.example.com', 'r4.example.com'].map((hostname) => ({ hostname, zoneId: hostname.endsWith('.org') ? 'Z0EXAMPLEORG' : 'Z0EXAMPLECOM' })),
        certificates: ['b.example.com', 'example.com', 'example.org'],
        redirects: ['www.example.com', 'shop.example.org', 'r1.example.com', 'r2.example.com', 'r3.example.com', 'r4.example.com'],
        redirectTo: 'example.com',
      },
    }),
    'resources-staging': resources('staging'),
    'resources-production': resources('production'),
    'resources-production-with-subscribers': resourcesTemplate({ application: notifying.application, environment: 'production', networkEnvironment: 'production', port: notifying.port, logRetentionDays: notifying.logRetentionDays, subscribers: notifying.notify.emails }),
    // A preview's own resources (role, security groups, log group) in the staging network.
    'resources-preview': plannedSpec(applicationResources, preview).template,
    'resources-qa-limited-egress': plannedSpec(applicationResources, limitedEgress).template,
    // With a release command: its cluster, and the role its tasks take.
    // A preview on staging's database: the grant of its secret and the rules to its security group.
    'resources-preview-on-staging-database': plannedSpec(applicationResources, sampleConfig({ database: 'postgres', 'preview-database': 'staging', egress: 'https' }, 42)).template,
    // Two schedules of the serving release, as the catalogue's kind renders them.
    'schedules-production': plannedSpec(applicationSchedules, sampleConfig({ environment: 'production', strategy: 'blue-green', schedules: 'cron(0 3 * * ? *) python manage.py clearsessions\nrate(15 minutes) ./bin/send-reminders' })).template,
    'resources-with-release-command': plannedSpec(applicationResources, sampleConfig({ environment: 'staging', 'release-command': 'python manage.py migrate --noinput' })).template,
    'application-rolling': application(rolling),
    'application-blue-green': application(blueGreen),
    'application-fixed-size': application(fixedSize),
    // On Spot by default: the mixed instances policy over same-size types.
    'application-preview': application(preview),
    'application-preview-on-demand': application(sampleConfig({ 'preview-capacity': 'on-demand' }, 42)),
    // A type of the user's own runs alone on Spot, as do the preview's workers.
    'application-preview-own-type-with-processes': application(sampleConfig({ 'preview-instance-type': 't4g.small', processes: 'worker=celery -A shop worker' }, 42)),
    'application-notifying-own-topic': application(notifying),
    // Two workers beside web, one scaling, one with a health command, with a database.
    'application-blue-green-with-processes': application(sampleConfig({ environment: 'production', strategy: 'blue-green', database: 'postgres', processes: 'worker=celery -A shop worker\nmail-sender=python -m mailer', 'processes-sizes': 'worker=2-6 c7i.large', 'processes-health': 'worker=celery -A shop inspect ping' })),
    // A release of the first layout while it keeps its own load balancer (moving to the shared one).
    'application-blue-green-first-layout': applicationTemplate({ ...applicationInput(blueGreen), ownLoadBalancer: true }),
    'database-postgres-production': databaseTemplate({ application: 'awesome-application', environment: 'production', networkEnvironment: 'production', engine: 'postgres', instanceClass: 'db.m7g.large', storageGiB: 50, multiAz: true, disposable: false }),
    'database-mysql-staging': databaseTemplate({ application: 'awesome-application', environment: 'staging', networkEnvironment: 'staging', engine: 'mysql', instanceClass: 'db.t4g.micro', storageGiB: 20, multiAz: false, disposable: false }),
    // A preview's own: the smallest, no standby, no backups, no deletion protection.
    'database-preview': databaseTemplate({ application: 'awesome-application', environment: 'pr-42', networkEnvironment: 'staging', engine: 'postgres', instanceClass: 'db.t4g.micro', storageGiB: 20, multiAz: false, disposable: true }),
  };
}
