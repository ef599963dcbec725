/** Unit tests need nothing; integration tests (`*.int.test.ts`) start real components themselves. */
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testEnvironment: 'node',
  // The test cluster's etcd data (member/snap/*.snap) looks like jest snapshot files.
  modulePathIgnorePatterns: ['<rootDir>/.kubesafe-cluster/'],
};
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
    },
  ],
  testTimeout: 120000,
};
