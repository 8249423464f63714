import { ulid } from 'ulid';
import { checkIntegrity, mintSigil, type KeyRingStatus } from '#sigil';
import { signingConfig, type Env } from '../support/config.js';
import { keyRingOf, withOpsStore } from '../support/store.js';
import { scanIntegrity, type IntegrityReport } from '../integrity/integrity-scan.js';
import { ACTIVE, k8sSecrets, PREVIOUS } from './secret-rotation.js';

/** Where the ring to check comes from: the service's environment, or the secrets a rotation wrote. */
export interface SecretsSource {
  envFile?: string;
  k8sSecret?: string;
  /** With k8sSecret: the key holding a whole env-format secrets file. */
  k8sKey?: string;
  namespace?: string;
}

export interface VerifyReport extends KeyRingStatus {
  integrity: IntegrityReport;
  selfTest: { kid: string; intact: boolean };
  ok: boolean;
}

/**
 * Every stored sigil passes checkIntegrity under the ring from config (or the given secrets), and a
 * sigil freshly minted in memory by the one minting rule the API's encode uses carries the active kid.
 */
export async function verifyRotation(source: SecretsSource, env: Env = process.env): Promise<VerifyReport> {
  const config = signingConfig(await withSecretsFrom(source, env));
  const keys = keyRingOf(config);
  const integrity = await withOpsStore(config, ({ repository }) => scanIntegrity(repository, keys));
  const tenantId = 'rotation-self-test';
  const sigil = mintSigil(
    {
      id: `sigil_${ulid()}`,
      tenantId,
      createdAt: new Date().toISOString(),
      createdBy: 'sigil-cli',
      data: { selfTest: 'rotate-secret --verify-only' },
      expiresAt: null,
    },
    keys,
  );
  const status = keys.status();
  const selfTest = {
    kid: sigil.kid,
    intact: sigil.kid === status.activeKid && checkIntegrity(sigil, tenantId, keys) === null,
  };
  return { ...status, integrity, selfTest, ok: integrity.problems.length === 0 && selfTest.intact };
}

/** The environment with the secrets from the env file or the Kubernetes Secret, if one is named. */
async function withSecretsFrom(source: SecretsSource, env: Env): Promise<Env> {
  if (source.k8sSecret) {
    const current = await k8sSecrets(source.k8sSecret, source.namespace, source.k8sKey);
    return {
      ...env,
      SIGIL_SECRETS_FILE: '',
      [ACTIVE]: current.active,
      [PREVIOUS]: current.previous.join(','),
    };
  }
  if (source.envFile) return { ...env, SIGIL_SECRETS_FILE: source.envFile };
  return env;
}
