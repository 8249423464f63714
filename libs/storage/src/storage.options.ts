/**
 * Which store backs SigilRepository. A new member here makes the compiler point at the one switch
 * (store.factory.ts) that must handle it.
 */
export type StorageOptions =
  | { kind: 'leveldb'; path: string; sync?: boolean }
  | { kind: 'memory' }
  | {
      kind: 'postgres';
      /** postgres://…; TLS as the URL says (sslmode, sslrootcert, …). */
      url: string;
      poolSize: number;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
      /** Apply pending migrations at open, under an advisory lock. */
      migrate: boolean;
    };
