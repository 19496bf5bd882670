import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_1_30_VERSION, KUBERNETES_RELEASES, KUBERNETES_VERSION } from '../../tools/catalog.ts';
import { ProviderError } from '../provider.ts';
import { DEFAULT_TIMINGS, kubernetesBehaviour, kwokConfigFile, renderStages, selectKubernetes } from './config.ts';

interface StageDoc {
  kind: string;
  metadata: { name: string };
  spec: { resourceRef: { kind: string }; selector?: { matchExpressions?: unknown[] }; steps?: unknown[] };
}

const docs = parseAllDocuments(renderStages(DEFAULT_TIMINGS)).map((d) => d.toJS() as StageDoc);

describe('local provider kwok configuration', () => {
  it('fills every placeholder and parses as YAML, for every release', () => {
    for (const release of KUBERNETES_RELEASES) {
      const text = kwokConfigFile(DEFAULT_TIMINGS, release);
      expect(text, release.minor).not.toMatch(/\$\{[A-Z_]+\}/);
      expect(parseAllDocuments(text).every((d) => d.errors.length === 0), release.minor).toBe(true);
    }
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

describe('Kubernetes release of a local cluster', () => {
  it('defaults to the first pinned release', () => {
    expect(selectKubernetes().version).toBe(KUBERNETES_VERSION);
    expect(selectKubernetes('').version).toBe(KUBERNETES_VERSION);
  });

  it('takes a minor with or without v, or the exact pinned patch', () => {
    for (const asked of ['1.30', 'v1.30', ' 1.30 ', KUBERNETES_1_30_VERSION, KUBERNETES_1_30_VERSION.slice(1)]) {
      expect(selectKubernetes(asked), asked).toEqual({ minor: '1.30', version: KUBERNETES_1_30_VERSION, group: 'kube-1.30' });
    }
    expect(selectKubernetes('1.34').group).toBe('kube');
  });

  it('refuses other minors, other patches and non-versions with what is on offer', () => {
    expect(() => selectKubernetes('1.31')).toThrow(/runs Kubernetes 1\.34, 1\.30, not 1\.31/);
    expect(() => selectKubernetes('v1.30.3')).toThrow(/pins Kubernetes 1\.30 at v1\.30\.14, not v1\.30\.3/);
    expect(() => selectKubernetes('latest')).toThrow(ProviderError);
    try {
      selectKubernetes('1.29');
    } catch (err) {
      expect((err as ProviderError).fix).toContain('--kubernetes-version 1.34 or 1.30');
    }
  });

  it('knows how each release resizes pods and reports it', () => {
    expect(kubernetesBehaviour(selectKubernetes('1.34'))).toEqual({ resizeSubresource: true, resizeReporting: 'conditions', watchList: true });
    expect(kubernetesBehaviour(selectKubernetes('1.30'))).toEqual({ resizeSubresource: false, resizeReporting: 'status.resize', watchList: false });
  });

  it('streams the per-node pod sync only where the apiserver serves watch-list', () => {
    expect(kwokConfigFile(DEFAULT_TIMINGS, selectKubernetes('1.34'))).toContain('enablePodsOnNodeSyncStreamWatch: true');
    expect(kwokConfigFile(DEFAULT_TIMINGS, selectKubernetes('1.30'))).toContain('enablePodsOnNodeSyncStreamWatch: false');
  });

  it('renders the resize reporting of the release into the pod stages', () => {
    const latest = renderStages(DEFAULT_TIMINGS, selectKubernetes('1.34'));
    const v130 = renderStages(DEFAULT_TIMINGS, selectKubernetes('1.30'));
    expect(latest).toContain('{{ if eq "conditions" "status.resize" }}');
    expect(v130).toContain('{{ if eq "status.resize" "status.resize" }}');
    expect(renderStages(DEFAULT_TIMINGS), 'the default is the default release').toBe(latest);
    for (const text of [latest, v130]) {
      const names = parseAllDocuments(text).map((d) => (d.toJS() as StageDoc).metadata.name);
      expect(names).toEqual(expect.arrayContaining(['pod-resize-start', 'pod-resize-finish', 'pod-resize-clear']));
    }
  });

  it('treats a resize as in progress in either form, in every stage that waits on it', () => {
    const inProgress = '([(.status.conditions // [])[] | select(.type == "PodResizeInProgress")] | length > 0) or .status.resize == "InProgress"';
    const keys = (name: string) => docs.find((d) => d.metadata.name === name)?.spec.selector?.matchExpressions?.map((e) => (e as { key: string }).key) ?? [];
    for (const name of ['pod-resize-start', 'pod-resize-finish', 'pod-container-ready', 'pod-readiness']) {
      expect(keys(name), name).toContain(inProgress);
    }
    for (const name of ['pod-container-ready', 'pod-readiness']) {
      expect(keys(name), `${name} waits for status.resize to clear`).toContain('(.status.resize // "") == ""');
    }
  });
});
