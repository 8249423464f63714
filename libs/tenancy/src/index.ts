export { CurrentPrincipal } from './current-principal.decorator.js';
export type { Principal } from './principal.js';
export { InvalidTenantClaimError, TenantResolver } from './tenant-resolver.js';
export { TenancyModule } from './tenancy.module.js';
