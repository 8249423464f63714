import { defineConfig } from 'vitest/config';

// The SDK's live tests: `npm run sdk:test` (never the root `npm test`). Each file starts its own
// Sigil-DNA through test/sdk/serve.ts.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
