// Imported for its side effects: each provider module registers itself with the registry.
// The local provider is built into the registry; kind and existing register here.
export {};
