/** Who is calling: the token's subject within its tenant, and what it may do. */
export interface Principal {
  sub: string;
  tenantId: string;
  scopes: ReadonlySet<string>;
}
