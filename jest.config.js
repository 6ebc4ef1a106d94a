// Jest runs TypeScript through swc (ts-jest cannot load NestJS 12's ESM; see README "Pinned versions").
const esm = [
  '@nestjs',
  '@electric-sql',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  // @fastify/static's (the documentation's files), in its own node_modules
  'content-disposition',
];
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': swc,
    '^.+\\.c?js$': swc,
  },
  // Decided by the innermost node_modules folder of the path, so that a nested package is found too.
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)(?!.*/node_modules/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testTimeout: 30000,
};
