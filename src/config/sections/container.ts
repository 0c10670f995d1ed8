import { accessScope, parameterPath } from '../names.js';
import type { SecretRef, Variable } from '../types.js';
import { ENV_NAME, ENV_NAME_HELP, type Reader } from './reader.js';

/** The container section: the variables the application reads, plain and secret. */

export interface ContainerSection {
  readonly variables: Variable[];
  readonly secrets: SecretRef[];
}

/** Names the product sets itself; applications written for Wimpy read them. */
export const RESERVED_VARIABLES = ['ENVIRONMENT', 'PORT', 'DOCKER_REGISTRY', 'KMS_MASTER_KEY', 'S3_BUCKET'] as const;
const PARAMETER = /^[A-Za-z0-9_./-]+$/;

export function readContainer(r: Reader, application: string, environment: string): ContainerSection {
  const variables = r.variables('environment-variables', ENV_NAME, ENV_NAME_HELP);
  for (const variable of variables) {
    if ((RESERVED_VARIABLES as readonly string[]).includes(variable.name)) {
      r.fail('environment-variables', `${variable.name}=${variable.value}`, `sets ${variable.name}, which the action sets itself (${RESERVED_VARIABLES.join(', ')})`);
    }
  }
  // A preview reads the previews' secrets, never staging's.
  const secretPath = parameterPath(application, environment === '' ? 'staging' : accessScope(environment));
  const secrets: SecretRef[] = [];
  for (const secret of r.variables('secrets', ENV_NAME, ENV_NAME_HELP)) {
    const parameter = secret.value.trim().startsWith('/') ? secret.value.trim() : `${secretPath}${secret.value.trim()}`;
    if (!PARAMETER.test(secret.value.trim()) || !parameter.startsWith(secretPath) || parameter.split('/').includes('..')) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `is not allowed: name an SSM parameter under ${secretPath} (letters, digits and _ . - /)`);
    } else if (variables.some((variable) => variable.name === secret.name)) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `sets ${secret.name}, which environment-variables sets too`);
    } else if ((RESERVED_VARIABLES as readonly string[]).includes(secret.name)) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `sets ${secret.name}, which the action sets itself`);
    } else {
      secrets.push({ name: secret.name, parameter });
    }
  }
  return { variables, secrets };
}
