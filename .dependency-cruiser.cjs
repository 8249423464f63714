/**
 * The architecture, as rules CI enforces (`npm run arch:check`). docs/architecture.md draws the same
 * picture; change both together.
 *
 * Layers, inside out:
 *   config, metrics            leaf libs: typed configuration; the Prometheus registry
 *   tenancy → auth             who is calling (principal, tenant, scopes, rate limits)
 *   sigil                      the domain: model, ports (SigilRepository, StoreBackup), rules, DNA
 *   storage                    adapters behind the domain's ports (LevelDB, Postgres, memory)
 *   health, admin              surfaces over the domain's ports (readiness; backups and keys)
 *   apps/sigil-api, sigil-cli  composition: the only places that pick adapters
 *
 * Libs are reached only through their public index.ts (`#name`); `#storage/testing` only from tests.
 */
const LIB = (name) => `^libs/${name}/src/`;
const PUBLIC = (name) => `^libs/${name}/src/index\\.ts$`;
const TESTING = '^libs/[^/]+/src/(testing\\.ts$|.*/testing/)';
const TESTS = `(\\.spec\\.ts$|/__tests__/|^test/|${TESTING})`;

/** Which libs each lib may import (through their index). The domain knows no adapter. */
const LIB_DEPENDENCIES = {
  config: [],
  metrics: [],
  tenancy: ['config'],
  auth: ['config', 'metrics', 'tenancy'],
  sigil: ['auth', 'config', 'metrics', 'tenancy'],
  storage: ['sigil'],
  health: ['auth', 'config', 'metrics', 'sigil', 'tenancy'],
  admin: ['auth', 'config', 'sigil', 'tenancy'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means two modules are one; split or merge them.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'lib-imports-no-app',
      comment: 'Apps compose libs; a lib that reaches into an app inverts that.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    ...Object.entries(LIB_DEPENDENCIES).map(([lib, allowed]) => ({
      name: `${lib}-depends-only-on-its-layer`,
      comment: `libs/${lib} may import only: ${allowed.length ? allowed.join(', ') : 'no other lib'}.`,
      severity: 'error',
      from: { path: LIB(lib), pathNot: TESTS },
      to: {
        path: '^libs/([^/]+)/src/',
        pathNot: [LIB(lib), ...allowed.map(LIB)],
      },
    })),
    {
      name: 'domain-is-pure',
      comment:
        'The DNA functions and the domain model/ports use only each other, Node built-ins and canonicalize: ' +
        'no Nest, no storage, no HTTP.',
      severity: 'error',
      from: { path: '^libs/sigil/src/(dna|domain)/', pathNot: TESTS },
      to: {
        pathNot: ['^libs/sigil/src/(dna|domain)/', '(^|/)node_modules/canonicalize/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'libs-through-their-index',
      comment: 'Another lib is reached through its public index.ts (#name), never through its internals.',
      severity: 'error',
      from: { path: '^(libs|apps)/([^/]+)/' },
      to: {
        path: '^libs/([^/]+)/src/',
        pathNot: [
          '^libs/$2/src/',
          ...Object.keys(LIB_DEPENDENCIES).map(PUBLIC),
          ...Object.keys(LIB_DEPENDENCIES).map((lib) => `^libs/${lib}/src/testing\\.ts$`),
          // The cluster primary's small entries (no Nest behind them): #metrics/cluster, #auth/cluster.
          ...Object.keys(LIB_DEPENDENCIES).map((lib) => `^libs/${lib}/src/cluster\\.ts$`),
        ],
      },
    },
    {
      name: 'testing-entries-only-in-tests',
      comment: '#storage/testing reaches under the port; production code never does.',
      severity: 'error',
      from: { path: '^(libs|apps)/', pathNot: TESTS },
      to: { path: TESTING },
    },
    {
      name: 'no-dev-dependencies-in-production',
      comment: 'The image prunes dev dependencies: production code importing one cannot start.',
      severity: 'error',
      from: { path: '^(libs|apps)/', pathNot: TESTS },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing fails at run time (benches load the build in dist/).',
      severity: 'error',
      from: { pathNot: '^test/bench/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    preserveSymlinks: true,
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `#lib` imports resolve to the TypeScript sources, as under Vitest (package.json "imports").
    enhancedResolveOptions: {
      conditionNames: ['source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      mermaid: { minify: false },
      archi: { collapsePattern: '^(libs|apps)/[^/]+' },
    },
  },
};
