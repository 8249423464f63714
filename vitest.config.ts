import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// SWC (not esbuild) compiles the sources so Nest's DI gets the decorator metadata it reads.
// The "source" condition makes the package.json `#lib` imports resolve to TypeScript sources.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // Tests run in Vite's SSR environment, which has its own resolve conditions: without `source` there,
  // `#lib` imports would silently resolve to the last build in dist/ instead of the code under test.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
    // The container image test needs Podman and a built image: `npm run test:image` (its own CI step);
    // the Helm chart's tests need helm and the image too: `npm run test:chart`.
    exclude: [...configDefaults.exclude, 'test/image/**', 'test/chart/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});
