/**
 * The layers of src/, checked by `npm test` (depcruise src). Shared layers are what every feature
 * builds on; they import no feature, so a feature can be read, changed or removed on its own.
 */
const FEATURES = '^src/(aging|audit|availability|callbacks|callin|campaigns|capacity|clients|events|hours|insights|numbers|queues|reconcile|reports|retries|ops|docs|cli|users|selfservice|notifications)/|^src/auth/routes[.]ts$|^src/genesys/(routes|simulated-calls)[.]ts$|^src/demo[.]ts$';
const SHARED = [
  '^src/(db|http|slots)/',
  '^src/jobs/(?!tasks[.]ts$)', // jobs/tasks.ts wires the features' tasks into the runner
  '^src/auth/(caller|access)[.]ts$',
  '^src/genesys/(?!(routes|simulated-calls)[.]ts$)', // the simulated calls' admin listing is a feature
  // context.ts is not here: it gathers what the app owns, the features' caches among them.
  '^src/(errors|clock|time|vocabulary)[.]ts$',
];
/** Who may speak HTTP: routes, the shared HTTP plugins, and the app and server that assemble them. */
const HTTP_SPEAKERS = 'routes[.]ts$|^src/http/|^src/(app|server)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'shared-imports-no-feature',
      comment: 'db/, http/, slots/, jobs/ (but its task list), genesys/ (but its admin routes and listing), auth/caller+access and the top-level shared modules import no feature folder',
      severity: 'error',
      from: { path: SHARED },
      to: { path: FEATURES },
    },
    {
      name: 'fastify-only-in-routes',
      comment: 'nothing below the routes speaks HTTP (not even its types): services take a context, not a request',
      severity: 'error',
      from: { path: '^src/', pathNot: HTTP_SPEAKERS },
      to: { path: '^(fastify|fastify-plugin|@fastify/.+)$|node_modules/(fastify|fastify-plugin|@fastify/)' },
    },
    {
      name: 'no-circular',
      comment: 'features depend on each other in one direction',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
    moduleSystems: ['es6'],
  },
};
