// Jest runs the TypeScript sources directly (ESM, transformed by SWC), so tests never need a build.
const workspacePackages = {
  '^@gw/core$': '<rootDir>/packages/core/src/index.ts',
  '^@gw/express-middleware$': '<rootDir>/packages/express-middleware/src/index.ts',
  '^@gw/fake-dashscope$': '<rootDir>/packages/fake-dashscope/src/index.ts',
  '^@gw/testkit$': '<rootDir>/packages/testkit/src/index.ts',
};

// examples/ is written as a company's own code importing http-proxy-middleware; the workspace root does not
// depend on it, so it resolves to the copy the middleware package uses.
const exampleDependencies = {
  '^http-proxy-middleware$': '<rootDir>/packages/express-middleware/node_modules/http-proxy-middleware/dist/index.js',
};

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: {
    ...workspacePackages,
    ...exampleDependencies,
    // Sources import siblings as './x.js' (NodeNext); Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
  testTimeout: 20000,
};
