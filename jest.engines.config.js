/**
 * `npm run test:engines`: the contract suites and end-to-end tests against
 * real Kafka, Cassandra and Elasticsearch, started on loopback if needed.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/engines'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/engines/support/engines-global-setup.ts',
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // One suite at a time: the engines share two cores with the tests.
  maxWorkers: 1,
  testTimeout: 180000,
};
