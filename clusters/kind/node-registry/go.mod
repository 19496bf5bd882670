// kc-node-registry: a read-only image registry inside each kind node of the node image built on
// this machine, serving what the node's containerd already holds. Our code, no dependencies.
module kruise-conformance/node-registry

go 1.24.0
