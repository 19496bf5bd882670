import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wrapperModuleDir } from '../tools/cache.ts';
import { OPENKRUISE_1_9_VERSION, OPENKRUISE_VERSION, openKruiseGroups } from '../tools/catalog.ts';
import {
  KRUISE_NAMESPACE,
  MUTATING_CONFIGURATION,
  VALIDATING_CONFIGURATION,
  convertedCrdNames,
  managerLaunch,
  openKruiseGroup,
  webhookConfigurations,
  withConversionWebhook,
} from './openkruise.ts';

// Shaped like controller-gen output and a kustomize patch; written for this test.
const generated = `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mutating-webhook-configuration
webhooks:
- name: mpod.example.io
  clientConfig:
    service: { name: webhook-service, namespace: system, path: /mutate-pod }
  failurePolicy: Fail
- name: mwidget.example.io
  clientConfig:
    service: { name: webhook-service, namespace: system, path: /mutate-widget }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validating-webhook-configuration
webhooks:
- name: vnamespace.example.io
  clientConfig:
    service: { name: webhook-service, namespace: system, path: /validate-namespace }
`;
const patch = `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mutating-webhook-configuration
webhooks:
- name: mpod.example.io
  namespaceSelector:
    matchExpressions: [{ key: control-plane, operator: DoesNotExist }]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validating-webhook-configuration
webhooks:
- name: vnamespace.example.io
  objectSelector:
    matchExpressions: [{ key: policy.kruise.io/delete-protection, operator: Exists }]
`;

describe('webhookConfigurations', () => {
  it('names the configurations as the manager looks them up and points every webhook at its service', () => {
    const [mutating, validating] = webhookConfigurations(generated, patch);
    expect(mutating!.metadata.name).toBe(MUTATING_CONFIGURATION);
    expect(validating!.metadata.name).toBe(VALIDATING_CONFIGURATION);
    const services = [...(mutating!.webhooks as { clientConfig: { service: unknown } }[]), ...(validating!.webhooks as { clientConfig: { service: unknown } }[])].map((w) => w.clientConfig.service);
    expect(services).toEqual([
      { name: 'kruise-webhook-service', namespace: KRUISE_NAMESPACE, path: '/mutate-pod' },
      { name: 'kruise-webhook-service', namespace: KRUISE_NAMESPACE, path: '/mutate-widget' },
      { name: 'kruise-webhook-service', namespace: KRUISE_NAMESPACE, path: '/validate-namespace' },
    ]);
  });

  it('merges the patch selectors by webhook name and leaves unpatched webhooks as generated', () => {
    const [mutating, validating] = webhookConfigurations(generated, patch);
    const [pod, widget] = mutating!.webhooks as Record<string, unknown>[];
    expect(pod!.namespaceSelector).toEqual({ matchExpressions: [{ key: 'control-plane', operator: 'DoesNotExist' }] });
    expect(pod!.failurePolicy).toBe('Fail');
    expect(widget).not.toHaveProperty('namespaceSelector');
    expect((validating!.webhooks as Record<string, unknown>[])[0]!.objectSelector).toEqual({ matchExpressions: [{ key: 'policy.kruise.io/delete-protection', operator: 'Exists' }] });
  });

  it('fails when the patch names a webhook the generated list lacks', () => {
    expect(() => webhookConfigurations(generated, patch.replace('vnamespace.example.io', 'vgone.example.io'))).toThrow(/does not have: vgone.example.io/);
  });
});

describe('withConversionWebhook', () => {
  it('switches conversion to the /convert webhook and keeps the rest of the spec', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.io' }, spec: { group: 'example.io', conversion: { strategy: 'None' } } };
    const out = withConversionWebhook(crd);
    expect(out.spec).toEqual({
      group: 'example.io',
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { service: { namespace: KRUISE_NAMESPACE, name: 'kruise-webhook-service', path: '/convert' } }, conversionReviewVersions: ['v1', 'v1beta1'] },
      },
    });
    expect(crd.spec.conversion.strategy, 'the input is not mutated').toBe('None');
  });
});

describe('managerLaunch', () => {
  it('serves webhooks on 127.0.0.1 with certificates in the given directory and binds nothing else publicly', () => {
    const { args, env } = managerLaunch({
      kubeconfig: '/k/config',
      gates: { KruiseDaemon: false, WorkloadSpread: true },
      ports: { webhook: 1001, metrics: 1002, health: 1003 },
      certDir: '/w/certs',
      extraArgs: ['-v=2'],
    });
    expect(env).toEqual({ KUBECONFIG: '/k/config', POD_NAMESPACE: 'kruise-system', WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: '1001', WEBHOOK_CERT_DIR: '/w/certs' });
    expect(args).toEqual([
      '--kubeconfig=/k/config',
      '--metrics-addr=127.0.0.1:1002',
      '--health-probe-addr=127.0.0.1:1003',
      '--enable-leader-election=false',
      '--enable-pprof=false',
      '--feature-gates=KruiseDaemon=false,WorkloadSpread=true',
      '-v=2',
    ]);
  });

  it('serves webhooks on the host address the provider names (kind), metrics and health still on loopback', () => {
    const { args, env } = managerLaunch({ kubeconfig: '/k', gates: {}, ports: { webhook: 1, metrics: 2, health: 3 }, certDir: '/c', extraArgs: [], webhookHost: '10.89.0.1' });
    expect(env.WEBHOOK_HOST).toBe('10.89.0.1');
    expect(args.filter((a) => a.includes('127.0.0.1'))).toEqual(['--metrics-addr=127.0.0.1:2', '--health-probe-addr=127.0.0.1:3']);
  });
});

describe('convertedCrdNames', () => {
  // A config/crd directory shaped like kruise's: one active conversion patch, one commented out,
  // one CA-injection patch (not a conversion), written for this test.
  function crdConfig(kustomization: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'crd-config-'));
    mkdirSync(join(dir, 'patches'));
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization);
    const conversion = (name: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}
spec:
  conversion:
    strategy: Webhook
    webhook: { clientConfig: { service: { namespace: system, name: webhook-service, path: /convert } } }
`;
    writeFileSync(join(dir, 'patches', 'webhook_in_widgets.yaml'), conversion('widgets.example.io'));
    writeFileSync(join(dir, 'patches', 'webhook_in_gadgets.yaml'), conversion('gadgets.example.io'));
    writeFileSync(join(dir, 'patches', 'cainjection_in_widgets.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.io\n  annotations: { cert-manager.io/inject-ca-from: x/y }\n');
    return dir;
  }

  it('takes the CRDs of the active webhook_in_ patches only', () => {
    const dir = crdConfig('resources: [bases/a.yaml]\npatchesStrategicMerge:\n- patches/webhook_in_widgets.yaml\n#- patches/webhook_in_gadgets.yaml\n- patches/cainjection_in_widgets.yaml\n');
    try {
      expect(convertedCrdNames(dir)).toEqual(['widgets.example.io']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('also reads `patches` entries given as {path}', () => {
    const dir = crdConfig('patches:\n- path: patches/webhook_in_gadgets.yaml\n- path: patches/webhook_in_widgets.yaml\n');
    try {
      expect(convertedCrdNames(dir)).toEqual(['gadgets.example.io', 'widgets.example.io']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openKruiseGroup', () => {
  it('finds the tool group of each buildable release, 1.8.3 and 1.9.1 in separate groups', () => {
    expect(openKruiseGroup(OPENKRUISE_VERSION).id).toBe('openkruise');
    expect(openKruiseGroup(OPENKRUISE_1_9_VERSION).id).toBe('openkruise-1.9');
  });

  it('pins each release in its own wrapper go.mod, as a tool', () => {
    for (const group of openKruiseGroups()) {
      const goMod = readFileSync(join(wrapperModuleDir(group), 'go.mod'), 'utf8');
      expect(goMod, `${group.id}/go.mod`).toMatch(new RegExp(`^\\s*github\\.com/openkruise/kruise ${group.version.replaceAll('.', '\\.')}\\b`, 'm'));
      expect(goMod, `${group.id}/go.mod`).toMatch(/^tool github\.com\/openkruise\/kruise$/m);
    }
  });

  it('names the buildable releases when asked for another', () => {
    expect(() => openKruiseGroup('v1.10.0')).toThrow(/no tool group builds that OpenKruise release .*openkruise: v1\.8\.3, openkruise-1\.9: v1\.9\.1/);
  });
});
