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
  // After distributed-faults (which restarts Cassandra), about one run in three a socket to Cassandra
  // stays open. A heap snapshot shows it in the pool of a stale driver Host (same address and host id)
  // that the driver's token map still holds but client.hosts does not, so shutdown() never closes it.
  forceExit: true,
};
