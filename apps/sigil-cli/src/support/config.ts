import { ensureDevMaterial, parseOpsConfig, type OpsConfig, type SigningOpsConfig } from '#config';

export type Env = Record<string, string | undefined>;

/**
 * The validated configuration of a command that reads or moves records without checking signatures:
 * no secret and no HTTP auth setting is read, so it runs wherever the store is reachable.
 */
export function storeConfig(env: Env = process.env): OpsConfig {
  return parseOpsConfig(env);
}

/**
 * The validated configuration of a command that signs or verifies: the secrets too, required in
 * production and, in development, the service's own `.sigil-dev/` secret (never its auth keys).
 */
export function signingConfig(env: Env = process.env): SigningOpsConfig {
  return parseOpsConfig(env, { secrets: true, devMaterial: ensureDevMaterial });
}
