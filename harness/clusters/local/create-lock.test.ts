import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireCreateLock } from './create-lock.ts';

describe('acquireCreateLock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const lockPath = () => {
    const d = mkdtempSync(join(tmpdir(), 'kc-lock-'));
    dirs.push(d);
    return join(d, 'clusters', 'local', '.create');
  };

  it('serializes holders: the second waits until the first releases, and says so once', async () => {
    const path = lockPath();
    const order: string[] = [];
    const logs: string[] = [];
    const first = await acquireCreateLock(undefined, (m) => logs.push(m), { path });
    const second = acquireCreateLock(undefined, (m) => logs.push(m), { path }).then((rel) => {
      order.push('second acquired');
      return rel;
    });
    await new Promise((r) => setTimeout(r, 1200));
    order.push('first released');
    await first();
    await (await second)();
    expect(order).toEqual(['first released', 'second acquired']);
    expect(logs).toEqual(['another local cluster is being created on this machine: waiting for it to bind its ports']);
  });

  it('gives up after its timeout with the lock path and what to do', async () => {
    const path = lockPath();
    const held = await acquireCreateLock(undefined, () => {}, { path });
    await expect(acquireCreateLock(undefined, () => {}, { path, timeoutMs: 700 })).rejects.toThrow(/more than 1 s \(lock .*\.create\.lock\); if no `cluster up` is running, remove that directory/);
    await held();
  });

  it('stops waiting when interrupted', async () => {
    const path = lockPath();
    const held = await acquireCreateLock(undefined, () => {}, { path });
    const ac = new AbortController();
    const waiting = acquireCreateLock(ac.signal, () => {}, { path });
    ac.abort(new Error('Ctrl-C'));
    await expect(waiting).rejects.toThrow('Ctrl-C');
    await held();
  });
});
