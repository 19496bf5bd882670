import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { checkBounds } from './invariants.ts';

const pod = (name: string, group?: string, terminating = false): V1Pod => ({
  metadata: { name, uid: name, labels: group ? { g: group } : {}, ...(terminating ? { deletionTimestamp: new Date() } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const groups = (max: Record<string, number>, allowUngrouped?: boolean) => ({ groups: { noun: 'subset', groupOf: (p: V1Pod) => p.metadata?.labels?.g, max, allowUngrouped } });
const check = (pods: V1Pod[], bounds: Parameters<typeof checkBounds>[1]) => checkBounds(pods, bounds, () => false, () => true, new Set(), new Set());

describe('checkBounds: per-group bounds', () => {
  it('counts active pods per group and passes within the bounds', () => {
    const r = check([pod('a1', 'a'), pod('a2', 'a'), pod('b1', 'b'), pod('a3', 'a', true), pod('x')], groups({ a: 2 }));
    expect(r).toEqual({ counts: { total: 4, available: 4, updated: 0, groups: { a: 2, b: 1 } } });
  });

  it('names the group that holds more pods than its max', () => {
    expect(check([pod('a1', 'a'), pod('a2', 'a'), pod('a3', 'a')], groups({ a: 2, b: 5 })).breach).toBe('subset a has 3 active pods > 2');
  });

  it('a pod in no group breaks the bound only when ungrouped pods are not allowed', () => {
    expect(check([pod('x')], groups({})).breach).toBeUndefined();
    expect(check([pod('x')], groups({}, false)).breach).toBe('pod x is in no subset');
  });

  it('the pod-count bounds still come first', () => {
    expect(check([pod('a1', 'a'), pod('a2', 'a'), pod('a3', 'a')], { maxPods: 2, ...groups({ a: 1 }) }).breach).toMatch(/^3 active pods > maxPods 2/);
  });
});

describe('checkBounds: a custom bound', () => {
  it('is given only the active pods and reports its own words', () => {
    const seen: string[] = [];
    const custom = (active: readonly V1Pod[]) => {
      seen.push(...active.map((p) => p.metadata!.name!));
      return active.length > 1 ? `${active.length} pods on one node` : undefined;
    };
    expect(check([pod('a'), pod('b', undefined, true)], { custom }).breach).toBeUndefined();
    expect(seen).toEqual(['a']);
    expect(check([pod('a'), pod('b')], { custom }).breach).toBe('2 pods on one node');
  });

  it('comes after the built-in bounds', () => {
    expect(check([pod('a'), pod('b')], { maxPods: 1, custom: () => 'custom' }).breach).toMatch(/^2 active pods > maxPods 1/);
  });
});
