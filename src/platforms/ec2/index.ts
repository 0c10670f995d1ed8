import type { ComputePlatform } from '../platform.js';
import { applicationInput, applicationParameters, applicationTemplate, processIds } from './release-template.js';
import { sessionArgv } from './session.js';

/**
 * EC2: each release an Auto Scaling group of Amazon Linux instances running the container under
 * systemd (user-data.ts), gated by health signals, behind its own HTTPS load balancer.
 */
export const ec2: ComputePlatform = {
  id: 'ec2',
  purpose: 'Auto Scaling group behind an HTTPS load balancer',
  template: (config, shape) => applicationTemplate(applicationInput(config, shape)),
  parameters: applicationParameters,
  sessionArgv,
  processResources: (name) => Object.values(processIds(name)),
};
