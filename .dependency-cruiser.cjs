/**
 * The layering rule: data flows entry → http → core → store port ← adapter. `npm run lint`
 * fails when an import crosses it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-adapter',
      comment: 'core knows the store only by its port (store.ts), and nothing of HTTP, runtimes or adapters',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/|store/store\\.ts$)' },
    },
    {
      name: 'core-imports-no-runtime',
      comment: 'core runs unchanged on Node and Lambda: no Node built-ins',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-only-standard-libraries',
      comment: 'core may use jose and otpauth (Web Crypto underneath); no AWS, Hono, database or hashing packages',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/(jose|otpauth)/' },
    },
    {
      name: 'store-imports-no-domain',
      comment: 'a store adapter knows nothing of what is stored in it',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(core|http|entry|dev|hashing)/' },
    },
    {
      name: 'http-imports-no-adapter',
      comment: 'the HTTP app is handed its adapters; it never picks one',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(entry|dev|hashing|mail|keys|webauthn)/|^src/store/(?!store\\.ts$)' },
    },
    {
      name: 'only-entry-points-import-entry',
      comment: 'src/entry wires the process; only entry points (and tests, scripts, benchmarks) may import it',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(entry|dev)/' },
      to: { path: '^src/entry/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
