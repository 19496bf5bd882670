import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_TIMINGS, kwokConfigFile, renderStages } from './config.ts';

interface StageDoc {
  kind: string;
  metadata: { name: string };
  spec: { resourceRef: { kind: string }; selector?: { matchExpressions?: unknown[] }; steps?: unknown[] };
}

describe('local provider kwok configuration', () => {
  const docs = parseAllDocuments(renderStages(DEFAULT_TIMINGS)).map((d) => d.toJS() as StageDoc);

  it('fills every placeholder and parses as YAML', () => {
    const text = kwokConfigFile(DEFAULT_TIMINGS);
    expect(text).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(parseAllDocuments(text).every((d) => d.errors.length === 0)).toBe(true);
  });

  it('has uniquely named stages with selectors and steps, for nodes, pods and volumes', () => {
    const names = docs.map((d) => d.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of docs) {
      expect(d.kind).toBe('Stage');
      expect(d.spec.selector?.matchExpressions?.length, `${d.metadata.name} has a selector`).toBeGreaterThan(0);
      expect(d.spec.steps?.length, `${d.metadata.name} has steps`).toBeGreaterThan(0);
    }
    const kinds = new Set(docs.map((d) => d.spec.resourceRef.kind));
    expect([...kinds].sort()).toEqual(['Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod']);
  });

  it('puts the configured timings into the stages', () => {
    const text = renderStages({ podStartDelayMs: 1234, podResizeDelayMs: 567, podMaxGraceSeconds: 7, pvcResizeDelayMs: 890 });
    expect(text).toContain('durationMilliseconds: 1234');
    expect(text).toContain('durationMilliseconds: 567');
    expect(text).toContain('durationMilliseconds: 890');
    expect(text).toContain('if $g < 7 then $g else 7 end');
  });
});
