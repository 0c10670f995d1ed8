import { hostname, pinnedHostname } from '../config/names.js';
import type { Config } from '../config/types.js';

export function publicUrl(config: Config): string {
  return `https://${hostname(config.application, config.environment, config.hostedZone)}`;
}

/** Blue-green only: the URL that reaches one release alone. */
export function pinnedUrl(config: Config, version: string): string | undefined {
  return config.strategy === 'blue-green' ? `https://${pinnedHostname(config.application, config.environment, version, config.hostedZone)}` : undefined;
}
