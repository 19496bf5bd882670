// Imported for its side effects: each provider module registers itself with the registry.
// The local provider is built into the registry; kind and existing register here.
import { ExistingProvider } from './existing/provider.ts';
import { KindProvider } from './kind/provider.ts';
import { registerProvider } from './registry.ts';

registerProvider(
  'kind',
  (c) =>
    new KindProvider({
      name: c.name,
      log: c.log,
      kubernetesVersion: c.kubernetesVersion,
      image: c.image,
      featureGates: { ...c.featureGates },
    }),
);

registerProvider(
  'existing',
  (c) =>
    new ExistingProvider({
      name: c.name,
      log: c.log,
      kubeconfig: c.kubeconfig,
      context: c.context,
      allowExisting: c.allowExisting,
      featureGates: c.featureGates,
    }),
);
