import { Injectable } from '@nestjs/common';
import { AppConfig, TENANT_ID_PATTERN } from '#config';

const DEFAULT_CLAIMS = ['tenant_id', 'tenantId', 'tenant'] as const;

export class InvalidTenantClaimError extends Error {
  override readonly name = 'InvalidTenantClaimError';
}

/**
 * The one place a tenant is read: from verified token claims. The claim named by SIGIL_TENANT_CLAIM
 * wins; else the first present of tenant_id, tenantId, tenant; none → DEFAULT_TENANT. A present but
 * malformed value is rejected rather than defaulted, so a typo never lands a caller in `public`.
 */
@Injectable()
export class TenantResolver {
  private readonly claims: readonly string[];
  private readonly defaultTenant: string;

  constructor(config: AppConfig) {
    this.claims = config.tenancy.claim ? [config.tenancy.claim] : DEFAULT_CLAIMS;
    this.defaultTenant = config.tenancy.defaultTenant;
  }

  resolve(claims: Record<string, unknown>): string {
    for (const name of this.claims) {
      const value = claims[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
        throw new InvalidTenantClaimError(`claim ${name} is not a valid tenant id`);
      }
      return value;
    }
    return this.defaultTenant;
  }
}
