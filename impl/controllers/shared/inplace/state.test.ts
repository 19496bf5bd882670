// The state and grace annotations as read back from a pod.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { inGracePeriod, readGraceSpec, readInPlaceState, rfc3339, type GraceSpec, type InPlaceUpdateState } from './state.ts';

const STATE = 'apps.kruise.io/inplace-update-state';
const GRACE = 'apps.kruise.io/inplace-update-grace';
const withAnnotations = (annotations?: Record<string, string>): V1Pod => ({ metadata: { name: 'p', ...(annotations && { annotations }) } });

describe('readInPlaceState', () => {
  const state: InPlaceUpdateState = { revision: 'web-b', updateTimestamp: '2025-01-01T00:00:00Z', lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } };
  it.each<[string, Record<string, string> | undefined, InPlaceUpdateState | undefined]>([
    ['no annotations', undefined, undefined],
    ['absent', { other: '1' }, undefined],
    ['empty', { [STATE]: '' }, undefined],
    ['not JSON', { [STATE]: '{revision' }, undefined],
    ['a JSON string', { [STATE]: '"web-b"' }, undefined],
    ['a JSON number', { [STATE]: '5' }, undefined],
    ['a JSON array', { [STATE]: '[{"revision":"web-b"}]' }, undefined],
    ['JSON null', { [STATE]: 'null' }, undefined],
    ['an object', { [STATE]: JSON.stringify(state) }, state],
    ['only the old key inplace-update-state (not read)', { 'inplace-update-state': JSON.stringify(state) }, undefined],
  ])('%s', (_n, annotations, want) => expect(readInPlaceState(withAnnotations(annotations))).toEqual(want));
});

describe('readGraceSpec', () => {
  const empty: GraceSpec = { containerImages: {}, containerResources: {}, graceSeconds: 0 };
  it.each<[string, Record<string, string> | undefined, GraceSpec | undefined]>([
    ['absent', undefined, undefined],
    ['empty', { [GRACE]: '' }, undefined],
    ['not JSON', { [GRACE]: '{' }, undefined],
    ['JSON null', { [GRACE]: 'null' }, undefined],
    ['another JSON value reads as an empty update', { [GRACE]: '5' }, empty],
    ['without a revision (written before it was recorded)', { [GRACE]: '{"containerImages":{"main":"nginx:2"},"graceSeconds":3}' }, { ...empty, containerImages: { main: 'nginx:2' }, graceSeconds: 3 }],
    [
      'with revision and resources',
      { [GRACE]: JSON.stringify({ revision: 'web-b', containerImages: {}, containerResources: { main: { limits: { cpu: '1' }, requests: {} } }, graceSeconds: 10 }) },
      { revision: 'web-b', containerImages: {}, containerResources: { main: { limits: { cpu: '1' }, requests: {} } }, graceSeconds: 10 },
    ],
  ])('%s', (_n, annotations, want) => expect(readGraceSpec(withAnnotations(annotations))).toEqual(want));
});

describe('inGracePeriod', () => {
  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['no annotation', undefined, false],
    ['empty annotation', { [GRACE]: '' }, false],
    ['any content', { [GRACE]: '{}' }, true],
  ])('%s -> %s', (_n, annotations, want) => expect(inGracePeriod(withAnnotations(annotations))).toBe(want));
});

describe('rfc3339', () => {
  it.each<[number, string]>([
    [Date.UTC(2025, 0, 1), '2025-01-01T00:00:00Z'],
    [Date.UTC(2025, 0, 1, 12, 30, 5, 999), '2025-01-01T12:30:05Z'],
  ])('%s -> %s (whole seconds)', (ms, want) => expect(rfc3339(ms)).toBe(want));
});
