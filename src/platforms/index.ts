import type { Config } from '../config/types.js';
import { ec2 } from './ec2/index.js';
import type { ComputePlatform } from './platform.js';

/** Every compute platform; a new one is a folder beside ec2/ and an entry here. */
export const PLATFORMS: readonly ComputePlatform[] = [ec2];

/** The platform that runs a configuration's releases: EC2, the only one so far. */
export function platformOf(_config: Config): ComputePlatform {
  return ec2;
}
