import { defineConfig } from 'vitest/config';

// Two kinds of tests live here: `unit` needs no cluster; `substrate` brings up the local
// provider once (global setup) and checks that the simulated kubelet and storage behave.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'impl/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'substrate',
          include: ['suites/00-substrate/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['suites/00-substrate/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: true,
        },
      },
    ],
  },
});
