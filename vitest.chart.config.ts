import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The Helm chart's tests (`npm run test:chart`, which installs helm and the schemas and builds the
// image first): their own run, because they need those tools, Podman and a built image.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/chart/**/*.spec.ts'],
    exclude: [],
    // A container start, a probe or a Job can take several seconds on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
