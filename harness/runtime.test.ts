import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './tools/cache.ts';

describe('runtime', () => {
  it('runs on the Node.js pinned in package.json, not whatever node the machine has', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(process.versions.node).toBe(pkg.dependencies.node);
  });
});
