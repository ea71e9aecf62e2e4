// Mutation testing of the core rules: `npm run mutate` (all of them: many hours on 2 cores) or
// `npm run mutate -- --mutate src/slots/engine.ts` (one module). Not part of `npm test`.
// Equivalent mutants, where a rule cannot be written without one, are disabled where they occur with
// `// Stryker disable next-line <mutator>: <why>`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/slots/{engine,capacity,hours,time,search,bookings}.ts',
    'src/numbers/{screening,normalize,rules}.ts',
    'src/callbacks/{create,lifecycle,tasks}.ts',
    'src/events/inbox.ts',
    'src/http/auth.ts',
    'src/auth/secrets.ts',
  ],
  concurrency: 2,
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
