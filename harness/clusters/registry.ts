import { LOCAL_DEFAULTS, LocalProvider } from './local/provider.ts';
import { PROVIDER_NAMES, type Provider, ProviderError, type ProviderName } from './provider.ts';

/** Everything a provider may be configured with; each provider reads only its own fields. */
export interface ProviderConfig {
  provider: string;
  /** Name of the cluster (local, kind); also the key under which its state is kept. */
  name: string;
  log: (line: string) => void;
  /** local: apiserver port on 127.0.0.1. */
  port?: number;
  /** local, kind: extra Kubernetes feature gates (merged over the provider's defaults). */
  featureGates?: Record<string, boolean>;
  /** kind: node image override. */
  image?: string;
  /** kind: Kubernetes minor to generate the config for (e.g. "1.34"); local: pinned release to run ("1.30"). */
  kubernetesVersion?: string;
  /** existing: explicit kubeconfig file and context. */
  kubeconfig?: string;
  context?: string;
  /** existing: the user's explicit opt-in to run against a cluster the harness did not create. */
  allowExisting?: boolean;
}

export type ProviderFactory = (config: ProviderConfig) => Provider;

const factories = new Map<ProviderName, ProviderFactory>([
  [
    'local',
    (c) =>
      new LocalProvider({
        ...LOCAL_DEFAULTS,
        name: c.name,
        log: c.log,
        apiserverPort: c.port ?? LOCAL_DEFAULTS.apiserverPort,
        kubernetesVersion: c.kubernetesVersion,
        featureGates: { ...LOCAL_DEFAULTS.featureGates, ...c.featureGates },
      }),
  ],
]);

/** Providers register here from their own modules, so the registry does not import them all. */
export function registerProvider(name: ProviderName, factory: ProviderFactory): void {
  factories.set(name, factory);
}

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

export function createProvider(config: ProviderConfig): Provider {
  if (!isProviderName(config.provider)) {
    throw new ProviderError(`unknown provider "${config.provider}"`, `use --provider ${PROVIDER_NAMES.join(', --provider ')}`);
  }
  const factory = factories.get(config.provider);
  if (!factory) throw new ProviderError(`provider "${config.provider}" is not available in this build`, 'use --provider local');
  return factory(config);
}

export const DEFAULT_CLUSTER_NAME = 'kruise-conformance';
