import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/cache.ts';
import { fileTimings } from './outcomes.ts';
import { timingRow } from './timing-reporter.ts';

describe('per-file wall time from vitest diagnostics', () => {
  it('adds environment, preparation, setup, collection and the tests with their hooks', () => {
    const diagnostic = () => ({ environmentSetupDuration: 1.4, prepareDuration: 10, setupDuration: 0.2, collectDuration: 300.3, duration: 41_000.4, heap: undefined, importDurations: {} });
    const row = timingRow({ moduleId: join(REPO_ROOT, 'suites/10-cloneset/scale.test.ts'), diagnostic });
    expect(row).toEqual({ file: join(REPO_ROOT, 'suites/10-cloneset/scale.test.ts'), durationMs: 41_312, collectMs: 300, setupMs: 12, testsMs: 41_000 });
    expect(fileTimings([row])).toEqual([{ file: 'suites/10-cloneset/scale.test.ts', durationMs: 41_312 }]);
  });
});
