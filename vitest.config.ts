import { defineConfig } from 'vitest/config';

// Three kinds of tests live here:
// - unit: harness and impl logic, no cluster;
// - substrate: brings up the local provider once (global setup) and checks that the simulated
//   kubelet and storage behave;
// - conformance: the black-box suites, run by the runner (`kruise-conformance run`), which brings
//   up the cluster, installs the implementation and passes the run in KRUISE_CONFORMANCE_RUN_FILE.
const resultsDir = process.env.KRUISE_CONFORMANCE_ALLURE_RESULTS;
const jsonReport = process.env.KRUISE_CONFORMANCE_VITEST_JSON;
const timings = process.env.KRUISE_CONFORMANCE_VITEST_TIMINGS;

export default defineConfig({
  test: {
    // The runner asks for machine-readable results and Allure results next to live progress.
    reporters: [
      process.env.KRUISE_CONFORMANCE_PROGRESS ?? 'default',
      ...(jsonReport ? [['json', { outputFile: jsonReport }] as [string, Record<string, unknown>]] : []),
      // Per-file wall times from vitest's own diagnostics (harness/run/timing-reporter.ts).
      ...(timings ? ['./harness/run/timing-reporter.ts'] : []),
      ...(resultsDir ? [['allure-vitest/reporter', { resultsDir }] as [string, Record<string, unknown>]] : []),
    ],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'impl/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
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
      {
        test: {
          name: 'integration',
          include: ['impl/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['suites/[0-9][0-9]-*/**/*.test.ts'],
          exclude: ['suites/00-substrate/**', '**/node_modules/**'],
          environment: 'node',
          // Per-wait timeouts come from the run's named timeouts; these only stop a runaway test.
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: true,
          maxWorkers: Number(process.env.KRUISE_CONFORMANCE_PARALLELISM ?? 4),
        },
      },
    ],
  },
});
