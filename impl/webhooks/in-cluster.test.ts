import { describe, expect, it } from 'vitest';
import { generateServingCertificate, type ServingCertificate } from './certs.ts';
import { CA_CERT_KEY, type ConfigurationPort, patchCaBundle, type SecretPort, sharedServingCertificate, TLS_CERT_KEY, TLS_KEY_KEY } from './in-cluster.ts';

/** An in-memory Secret with resourceVersion checks, as the apiserver does them. */
class FakeSecret implements SecretPort {
  data: Record<string, string> | undefined;
  rv = 0;
  writes = 0;
  /** Called before each write: lets a test slip in another replica's write. */
  beforeWrite?: () => void;
  constructor(data?: Record<string, string>) {
    if (data) {
      this.data = data;
      this.rv = 1;
    }
  }
  async read() {
    return this.data ? { data: { ...this.data }, resourceVersion: String(this.rv) } : undefined;
  }
  async create(data: Record<string, string>) {
    this.beforeWrite?.();
    if (this.data) return false;
    this.data = data;
    this.rv++;
    this.writes++;
    return true;
  }
  async update(data: Record<string, string>, rv: string | undefined) {
    this.beforeWrite?.();
    if (rv !== String(this.rv)) return false;
    this.data = data;
    this.rv++;
    this.writes++;
    return true;
  }
}

const HOSTS = ['kruise-ref-webhook-service.kruise-system.svc', '127.0.0.1'];
const asData = (c: ServingCertificate) => ({ [CA_CERT_KEY]: c.caCert, [TLS_CERT_KEY]: c.cert, [TLS_KEY_KEY]: c.key });

describe('sharedServingCertificate', () => {
  it('fills the empty Secret the chart renders, and a second replica reads the same certificate back', async () => {
    const secret = new FakeSecret({});
    const first = await sharedServingCertificate(secret, HOSTS);
    expect(first.source).toBe('generated');
    expect(secret.writes).toBe(1);
    const second = await sharedServingCertificate(secret, HOSTS);
    expect(second.source).toBe('secret');
    expect(second.caCert).toBe(first.caCert);
    expect(second.key).toBe(first.key);
    expect(secret.writes).toBe(1);
  });

  it('creates the Secret when it does not exist', async () => {
    const secret = new FakeSecret();
    expect((await sharedServingCertificate(secret, HOSTS)).source).toBe('generated');
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([CA_CERT_KEY, TLS_CERT_KEY, TLS_KEY_KEY]);
  });

  it('loses a race gracefully: another replica wrote first, so it serves that replica\'s certificate', async () => {
    const other = await generateServingCertificate(HOSTS);
    const secret = new FakeSecret({});
    secret.beforeWrite = () => {
      secret.beforeWrite = undefined;
      secret.data = asData(other);
      secret.rv++;
    };
    const got = await sharedServingCertificate(secret, HOSTS);
    expect(got.source).toBe('secret');
    expect(got.caCert).toBe(other.caCert);
  });

  it('replaces a stored certificate that does not name the Service host', async () => {
    const wrong = await generateServingCertificate(['other-service.other.svc']);
    const secret = new FakeSecret(asData(wrong));
    const got = await sharedServingCertificate(secret, HOSTS);
    expect(got.source).toBe('generated');
    expect(got.caCert).not.toBe(wrong.caCert);
    expect(secret.data?.[CA_CERT_KEY]).toBe(got.caCert);
  });

  it('reuses a stored certificate for an IP host (out of cluster, the URL is an address)', async () => {
    const secret = new FakeSecret({});
    const first = await sharedServingCertificate(secret, ['127.0.0.1']);
    expect((await sharedServingCertificate(secret, ['127.0.0.1'])).caCert).toBe(first.caCert);
    expect(secret.writes).toBe(1);
  });

  it('replaces a certificate whose CA does not sign it', async () => {
    const a = await generateServingCertificate(HOSTS);
    const b = await generateServingCertificate(HOSTS);
    const secret = new FakeSecret({ ...asData(a), [CA_CERT_KEY]: b.caCert });
    expect((await sharedServingCertificate(secret, HOSTS)).source).toBe('generated');
  });
});

interface Cfg {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> };
  webhooks?: Array<{ name: string; clientConfig: { caBundle?: string; service?: { name: string; namespace: string } }; rules?: unknown[] }>;
}

function fakeConfigurations(initial: Record<string, Cfg>): ConfigurationPort<Cfg> & { store: Record<string, Cfg>; replaced: number } {
  const store = structuredClone(initial);
  const port = {
    store,
    replaced: 0,
    async read(name: string) {
      const c = store[name];
      if (!c) throw Object.assign(new Error('not found'), { code: 404 });
      return structuredClone(c);
    },
    async replace(name: string, body: Cfg) {
      port.replaced++;
      store[name] = structuredClone(body);
    },
  };
  return port;
}

describe('patchCaBundle', () => {
  const chartConfiguration = (): Cfg => ({
    metadata: { name: 'kruise-ref-mutating', labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    webhooks: [
      { name: 'mcloneset.kb.io', clientConfig: { service: { name: 'svc', namespace: 'ns' } }, rules: [{ resources: ['clonesets'] }] },
      { name: 'mpod.kb.io', clientConfig: { service: { name: 'svc', namespace: 'ns' } } },
      { name: 'someone-else.example.com', clientConfig: { caBundle: 'theirs' } },
    ],
  });

  it('writes the CA into our webhooks only, keeping rules and the chart labels; a second call changes nothing', async () => {
    const port = fakeConfigurations({ 'kruise-ref-mutating': chartConfiguration() });
    expect(await patchCaBundle(port, 'kruise-ref-mutating', ['mcloneset.kb.io', 'mpod.kb.io'], 'Q0E=')).toBe(2);
    const after = port.store['kruise-ref-mutating']!;
    expect(after.webhooks?.map((w) => w.clientConfig.caBundle)).toEqual(['Q0E=', 'Q0E=', 'theirs']);
    expect(after.webhooks?.[0]?.rules).toEqual([{ resources: ['clonesets'] }]);
    expect(after.webhooks?.[0]?.clientConfig.service).toEqual({ name: 'svc', namespace: 'ns' });
    expect(after.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' });
    expect(await patchCaBundle(port, 'kruise-ref-mutating', ['mcloneset.kb.io', 'mpod.kb.io'], 'Q0E=')).toBe(0);
    expect(port.replaced).toBe(1);
  });

  it('fails with the fix when the configuration was not installed', async () => {
    const port = fakeConfigurations({});
    await expect(patchCaBundle(port, 'kruise-ref-validating', ['vcloneset.kb.io'], 'Q0E=')).rejects.toThrow(
      'webhook configuration kruise-ref-validating not found: in cluster it is installed by the chart (impl/chart); out of cluster run with --webhook-configurations=manage',
    );
  });

  it('fails when the configuration holds none of our webhooks', async () => {
    const port = fakeConfigurations({ x: { metadata: { name: 'x' }, webhooks: [{ name: 'other', clientConfig: {} }] } });
    await expect(patchCaBundle(port, 'x', ['vcloneset.kb.io'], 'Q0E=')).rejects.toThrow('has none of the webhooks vcloneset.kb.io');
  });

  it('retries on a conflict', async () => {
    const port = fakeConfigurations({ 'kruise-ref-mutating': chartConfiguration() });
    const replace = port.replace;
    let conflicts = 1;
    port.replace = async (name, body) => {
      if (conflicts-- > 0) throw Object.assign(new Error('conflict'), { code: 409 });
      await replace(name, body);
    };
    expect(await patchCaBundle(port, 'kruise-ref-mutating', ['mcloneset.kb.io'], 'Q0E=')).toBe(1);
    expect(port.store['kruise-ref-mutating']?.webhooks?.[0]?.clientConfig.caBundle).toBe('Q0E=');
  });
});
