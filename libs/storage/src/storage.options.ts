/**
 * Which store backs SigilRepository. A `{ kind: 'postgres'; ... }` member is planned: add it here
 * and the compiler points at the one switch (sigil-repository.factory.ts) that must handle it.
 */
export type StorageOptions = { kind: 'leveldb'; path: string; sync?: boolean } | { kind: 'memory' };
