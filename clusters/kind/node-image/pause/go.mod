// The pod sandbox's pause program for the kind node image: our own, no dependencies.
module kruise-conformance/pause

go 1.24.0
