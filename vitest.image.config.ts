import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The container image test (`npm run test:image`, which builds the image first): its own run, because
// it needs Podman and a built image; `npm test` leaves test/image/ out.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/image/**/*.spec.ts'],
    exclude: [],
    // One container start, stop or build step can take several seconds on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
