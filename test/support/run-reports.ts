/** Run reports as the use cases fill them, for the tests of everything that renders one. */
import type { RunReport } from '../../src/engine/run-report.js';

export const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

export function deployedReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    application: 'awesome-application',
    environment: 'pr-2',
    command: 'deploy',
    strategy: 'blue-green',
    status: 'success',
    version: SHA,
    sha: SHA,
    url: 'https://awesome-application-pr-2.armesto.net',
    pinnedUrl: 'https://awesome-application-pr-2-ec26c3e.armesto.net',
    traffic: [{ release: 'awesome-application-pr-2-ec26c3e', weight: 100 }],
    stacks: [
      { name: 'awesome-application-pr-2-resources', outcome: 'unchanged', changes: [] },
      {
        name: 'awesome-application-pr-2-ec26c3e',
        outcome: 'created',
        changes: [
          { logicalId: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Add' },
          { logicalId: 'Listener', type: 'AWS::ElasticLoadBalancingV2::Listener', action: 'Modify', replacement: 'True' },
        ],
      },
    ],
    durationMs: 252_400,
    logUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/7',
    commitUrl: `https://github.com/Codertocat/Hello-World/commit/${SHA}`,
    ...overrides,
  };
}

export const failedReport = (overrides: Partial<RunReport> = {}): RunReport =>
  deployedReport({
    status: 'failure',
    rootCause: {
      stack: 'awesome-application-pr-2-ec26c3e',
      resource: 'Fleet',
      type: 'AWS::AutoScaling::AutoScalingGroup',
      status: 'CREATE_FAILED',
      reason: 'Received 0 SUCCESS signals out of the 1 expected',
    },
    lastEvents: [
      { stack: 'awesome-application-pr-2-ec26c3e', resource: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', status: 'CREATE_FAILED', reason: 'Received 0 SUCCESS signals', timestamp: new Date('2026-03-01T10:04:05Z') },
      { stack: 'awesome-application-pr-2-ec26c3e', resource: 'awesome-application-pr-2-ec26c3e', type: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_IN_PROGRESS', timestamp: new Date('2026-03-01T10:04:06Z') },
    ],
    ...overrides,
  });
