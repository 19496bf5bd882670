import { describe, expect, it } from 'vitest';
import { strategicMergePod } from './strategic-merge.ts';

const pod = {
  metadata: { labels: { app: 'a' }, annotations: { x: '1' }, finalizers: ['f1'] },
  spec: {
    priority: 0,
    containers: [
      { name: 'main', image: 'nginx', env: [{ name: 'A', value: '1' }], resources: { requests: { cpu: '100m' } } },
      { name: 'side', image: 'busybox' },
    ],
    tolerations: [{ key: 't', operator: 'Exists' }],
  },
};

describe('strategicMergePod', () => {
  it('merges maps, deletes keys set to null, and leaves the input alone', () => {
    const out = strategicMergePod(pod, { metadata: { labels: { zone: 'a' }, annotations: { x: null } } });
    expect(out.metadata).toEqual({ labels: { app: 'a', zone: 'a' }, annotations: {}, finalizers: ['f1'] });
    expect(pod.metadata.annotations).toEqual({ x: '1' });
  });

  it('merges containers by name and env by name, appending new elements', () => {
    const out = strategicMergePod(pod, { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }], resources: { limits: { cpu: '1' } } }, { name: 'new', image: 'x' }] } });
    expect(out.spec.containers.map((c) => c.name)).toEqual(['main', 'side', 'new']);
    expect(out.spec.containers[0]).toEqual({ name: 'main', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } } });
  });

  it('replaces lists without a merge key and honours $patch directives', () => {
    expect(strategicMergePod(pod, { spec: { tolerations: [{ key: 'u', operator: 'Exists' }] } }).spec.tolerations).toEqual([{ key: 'u', operator: 'Exists' }]);
    expect(strategicMergePod(pod, { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }).spec.containers.map((c) => c.name)).toEqual(['main']);
    expect(strategicMergePod(pod, { metadata: { labels: { $patch: 'replace', only: 'me' } } }).metadata.labels).toEqual({ only: 'me' });
    expect(strategicMergePod(pod, { metadata: { finalizers: ['f2', 'f1'] } }).metadata.finalizers).toEqual(['f1', 'f2']);
  });

  it('refuses a patch that is not an object', () => {
    expect(() => strategicMergePod(pod, ['x'])).toThrow(/must be a JSON object/);
  });
});
