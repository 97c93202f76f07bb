/**
 * Import rules checked in `npm test` (npm run check:imports): no import cycles anywhere, and the layering of
 * docs/architecture.md (shared/ imports neither extension, server, Node built-ins nor extension APIs; the server
 * and the extension never import each other; screens read the store only through its query module).
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'shared-stays-portable',
      comment: 'shared/ runs in browsers and in Node alike',
      severity: 'error',
      from: { path: '^shared/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-no-app-code',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(extension|server)/' },
    },
    {
      name: 'shared-imports-no-runtime-packages',
      severity: 'error',
      from: { path: '^shared/' },
      to: {
        path: 'node_modules/(wxt|@wxt-dev|webextension-polyfill|better-sqlite3|ws|hono|@hono|pg|ioredis|prom-client)/',
      },
    },
    {
      name: 'screens-read-through-queries',
      comment:
        'components and entrypoints read the store only through its query module (indexed, paged, validated), ' +
        'never its database, schema or Dexie itself (docs/store.md)',
      severity: 'error',
      from: { path: '^extension/(components|entrypoints)/' },
      to: { path: '^extension/lib/store/|node_modules/dexie/', pathNot: '^extension/lib/store/queries\\.ts$' },
    },
    {
      name: 'extension-runs-in-browsers',
      comment: "WXT's type declarations pull in @types/node, so the compiler cannot forbid Node built-ins here",
      severity: 'error',
      from: { path: '^extension/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    { name: 'server-not-extension', severity: 'error', from: { path: '^server/' }, to: { path: '^extension/' } },
    { name: 'extension-not-server', severity: 'error', from: { path: '^extension/' }, to: { path: '^server/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(\\.output|\\.wxt|dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
