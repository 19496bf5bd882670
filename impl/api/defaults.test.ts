import { describe, expect, it } from 'vitest';
import type { CloneSet } from './cloneset.ts';
import { defaultCloneSet, defaultPullPolicyFor, defaultStatefulSet } from './defaults.ts';
import type { StatefulSet } from './statefulset.ts';

const minimalCloneSet = (): CloneSet => ({
  metadata: { name: 'demo' },
  spec: { selector: { matchLabels: { app: 'demo' } }, template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } } },
});

const minimalStatefulSet = (): StatefulSet => ({
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

describe('defaultCloneSet (spec §2.2, Appendix B.1)', () => {
  it('fills replicas, history and the update strategy', () => {
    const got = defaultCloneSet(minimalCloneSet());
    expect(got.spec.replicas).toBe(1);
    expect(got.spec.revisionHistoryLimit).toBe(10);
    expect(got.spec.scaleStrategy).toEqual({});
    expect(got.spec.updateStrategy).toEqual({ type: 'ReCreate', partition: 0, maxUnavailable: '20%', maxSurge: 0 });
  });

  it('keeps values the user set', () => {
    const cs = minimalCloneSet();
    cs.spec.replicas = 0;
    cs.spec.revisionHistoryLimit = 2;
    cs.spec.updateStrategy = { type: 'InPlaceIfPossible', partition: '50%', maxUnavailable: 0, maxSurge: '10%', inPlaceUpdateStrategy: { gracePeriodSeconds: 5 } };
    const got = defaultCloneSet(cs);
    expect(got.spec.replicas).toBe(0);
    expect(got.spec.revisionHistoryLimit).toBe(2);
    expect(got.spec.updateStrategy).toEqual(cs.spec.updateStrategy);
  });

  it.each(['InPlaceIfPossible', 'InPlaceOnly'] as const)('creates inPlaceUpdateStrategy {} for %s', (type) => {
    const cs = minimalCloneSet();
    cs.spec.updateStrategy = { type };
    expect(defaultCloneSet(cs).spec.updateStrategy?.inPlaceUpdateStrategy).toEqual({});
  });

  it('does not create inPlaceUpdateStrategy for ReCreate', () => {
    expect(defaultCloneSet(minimalCloneSet()).spec.updateStrategy?.inPlaceUpdateStrategy).toBeUndefined();
  });

  it('defaults the pod template like the apiserver does for pods', () => {
    const got = defaultCloneSet(minimalCloneSet()).spec.template.spec;
    expect(got).toEqual({
      containers: [{ name: 'main', image: 'nginx:1.25', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
  });

  it('defaults probes, ports, env field refs, volumes and init containers', () => {
    const cs = minimalCloneSet();
    cs.spec.template.spec = {
      initContainers: [{ name: 'init', image: 'busybox:1.36' }, { name: 'init2', image: 'busybox' }],
      containers: [
        {
          name: 'main',
          image: 'nginx',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 80 }],
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          readinessProbe: { httpGet: { port: 80 } },
        },
      ],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 'sec', secret: { secretName: 's' } }],
    };
    const got = defaultCloneSet(cs).spec.template.spec!;
    expect(got.initContainers?.map((c) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'Always']);
    const main = got.containers[0]!;
    expect(main.imagePullPolicy).toBe('IfNotPresent');
    expect(main.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(main.env?.[0]?.valueFrom?.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
    expect(main.readinessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(got.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
    ]);
  });

  it('gives VCTs status.phase Pending and nothing else', () => {
    const cs = minimalCloneSet();
    cs.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }];
    expect(defaultCloneSet(cs).spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] }, status: { phase: 'Pending' } }]);
  });

  it('skips template defaults when asked (UPDATE without template change, or TemplateNoDefaults)', () => {
    const got = defaultCloneSet(minimalCloneSet(), { injectTemplateDefaults: false });
    expect(got.spec.template).toEqual(minimalCloneSet().spec.template);
    expect(got.spec.replicas).toBe(1);
  });

  it('does not modify its input', () => {
    const cs = minimalCloneSet();
    const before = structuredClone(cs);
    defaultCloneSet(cs);
    expect(cs).toEqual(before);
  });

  it('is idempotent', () => {
    const once = defaultCloneSet(minimalCloneSet());
    expect(defaultCloneSet(once)).toEqual(once);
  });
});

describe('defaultStatefulSet (spec §3.2)', () => {
  it('fills policy, strategy, retention, replicas and history', () => {
    const got = defaultStatefulSet(minimalStatefulSet());
    expect(got.spec.podManagementPolicy).toBe('OrderedReady');
    expect(got.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', minReadySeconds: 0 } });
    expect(got.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(got.spec.volumeClaimUpdateStrategy).toEqual({});
    expect(got.spec.replicas).toBe(1);
    expect(got.spec.revisionHistoryLimit).toBe(10);
    expect(got.spec.volumeClaimTemplates?.[0]?.status).toEqual({ phase: 'Pending' });
    expect(got.spec.template.spec?.restartPolicy).toBe('Always');
  });

  it('adds no rollingUpdate for OnDelete', () => {
    const s = minimalStatefulSet();
    s.spec.updateStrategy = { type: 'OnDelete' };
    expect(defaultStatefulSet(s).spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('fills a partial rollingUpdate and keeps user values', () => {
    const s = minimalStatefulSet();
    s.spec.updateStrategy = { rollingUpdate: { partition: 2, podUpdatePolicy: 'InPlaceIfPossible' } };
    expect(defaultStatefulSet(s).spec.updateStrategy?.rollingUpdate).toEqual({ partition: 2, maxUnavailable: 1, podUpdatePolicy: 'InPlaceIfPossible', minReadySeconds: 0 });
  });

  it('leaves the retention policy alone with StatefulSetAutoDeletePVC off', () => {
    expect(defaultStatefulSet(minimalStatefulSet(), { autoDeletePVC: false }).spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
  });

  it('completes a partial retention policy', () => {
    const s = minimalStatefulSet();
    s.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete' };
    expect(defaultStatefulSet(s).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
  });

  it('defaults volumeClaimUpdateStrategy.type to OnDelete only with StatefulSetAutoResizePVCGate', () => {
    expect(defaultStatefulSet(minimalStatefulSet(), { autoResizePVC: true }).spec.volumeClaimUpdateStrategy).toEqual({ type: 'OnDelete' });
    const s = minimalStatefulSet();
    s.spec.volumeClaimUpdateStrategy = { type: 'OnPodRollingUpdate' };
    expect(defaultStatefulSet(s, { autoResizePVC: true }).spec.volumeClaimUpdateStrategy).toEqual({ type: 'OnPodRollingUpdate' });
  });

  it('is idempotent and pure', () => {
    const s = minimalStatefulSet();
    const before = structuredClone(s);
    const once = defaultStatefulSet(s);
    expect(s).toEqual(before);
    expect(defaultStatefulSet(once)).toEqual(once);
  });
});

describe('defaultPullPolicyFor (upstream image-tag rule, used for init containers)', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry:5000/team/app', 'Always'],
    ['registry:5000/team/app:v2', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
    ['nginx:latest@sha256:abcd', 'Always'],
  ])('%s -> %s', (image, want) => {
    expect(defaultPullPolicyFor(image)).toBe(want);
  });
});
