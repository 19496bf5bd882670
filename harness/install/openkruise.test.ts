import { describe, expect, it } from 'vitest';
import { KRUISE_NAMESPACE, MUTATING_CONFIGURATION, VALIDATING_CONFIGURATION, managerLaunch, webhookConfigurations, withConversionWebhook } from './openkruise.ts';

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
});
