# Entry points for people and CI. npm scripts run on the Node pinned in package.json
# (node_modules/.bin/node), so every target goes through them.
SHELL := /bin/bash
PROVIDER ?= local
NAME ?= kruise-conformance
CLI := npm run --silent kruise-conformance --

.PHONY: install system-deps-test system-deps-report tools tools-local kind-image cluster cluster-down cluster-status test test-unit conformance flake-check report known-reports bench image
# On kind the reference is installed by its Helm chart (its image is built first, warm: seconds);
# on local, whose simulated nodes run no containers, it runs as a process.
IMPL ?= $(if $(filter kind,$(PROVIDER)),reference-helm,reference)
# OpenKruise runs out of cluster on local and in cluster (manager and kruise-daemon images built
# here) on kind, where a node cannot reach a webhook on the host's 127.0.0.1.
KIND_IMPL_openkruise := openkruise-kind-1.8
KIND_IMPL_openkruise-1.9 := openkruise-kind
RUN_IMPL = $(if $(filter kind,$(PROVIDER)),$(or $(KIND_IMPL_$(IMPL)),$(IMPL)),$(IMPL))
REPORT_DIR ?=
CONFORMANCE_FLAGS ?=

node_modules/.package-lock.json: package.json package-lock.json
	npm ci

install: node_modules/.package-lock.json

## system-deps-*: system programs the targets need, installed with apt-get where missing (and said
## so), or one line with the install command where that is not possible (scripts/system-deps.sh)
system-deps-test:
	@scripts/system-deps.sh chromium java

system-deps-report:
	@scripts/system-deps.sh java

## tools: build every pinned tool from its Go module into the cache (warm: nothing to do)
tools: install
	$(CLI) tools install $(if $(TOOLS_SOURCE),--source $(TOOLS_SOURCE))

## tools-local: only what the local provider needs
tools-local: install
	$(CLI) tools install --local-only

## kind-image: the kind node image for the pinned Kubernetes, assembled here without a registry, and the offline CSI images (root, podman)
kind-image: install
	$(CLI) tools kind-image

## cluster: bring up a cluster (PROVIDER=local|kind|existing)
cluster: tools
	$(CLI) cluster up --provider $(PROVIDER) --name $(NAME)

cluster-down: install
	$(CLI) cluster down --provider $(PROVIDER) --name $(NAME)

cluster-status: install
	$(CLI) cluster status --provider $(PROVIDER) --name $(NAME)

## test: type-check, unit tests, and the substrate smoke suite on the local provider
test: tools system-deps-test
	npm test

test-unit: install
	npm run test:unit

## conformance: cluster up, install IMPL, run every suite in order, write reports, cluster down
conformance: tools system-deps-report $(if $(filter reference-helm,$(IMPL)),image)
	$(CLI) run --impl $(RUN_IMPL) --provider $(PROVIDER) $(if $(REPORT_DIR),--report-dir $(REPORT_DIR)) $(CONFORMANCE_FLAGS)

## flake-check: the suites N times (default 10) on one cluster and one install of IMPL, then each
## test's passes and failures and the flaky ones (FEATURES=A,B for a subset); fails on any failure
N ?= 10
FEATURES ?=
flake-check: tools system-deps-report $(if $(filter reference-helm,$(IMPL)),image)
	$(CLI) run --impl $(RUN_IMPL) --provider $(PROVIDER) --repeat $(N) $(if $(FEATURES),--features $(FEATURES)) $(if $(REPORT_DIR),--report-dir $(REPORT_DIR)) $(CONFORMANCE_FLAGS)

## report: the HTML matrix of the committed reference reports (reports/known/)
report: install
	$(CLI) report matrix reports/known/*/conformance-report.yaml -o reports/known/matrix.html

## known-reports: certify again what reports/known/ holds (each run on the Kubernetes it supports),
## keep each run's conformance-report.yaml and summary.md, then the matrix (~30 min on 2 cores)
KNOWN_RUNS ?= reference-0.1.0:reference: openkruise-1.8.3:openkruise:--kubernetes-version=1.30 openkruise-1.9.1:openkruise-1.9:
known-reports: tools system-deps-report
	@set -e; for run in $(KNOWN_RUNS); do \
	  IFS=: read -r dir impl flags <<< "$$run"; \
	  tmp=$$(mktemp -d); status=0; \
	  $(CLI) run --impl $$impl $$flags --report-dir $$tmp || status=$$?; \
	  echo "$$dir: exit $$status"; \
	  mkdir -p reports/known/$$dir && cp $$tmp/conformance-report.yaml $$tmp/summary.md reports/known/$$dir/; \
	done
	$(MAKE) report

## bench: CloneSet (reference implementation) vs Deployment (kube-controller-manager), side by side
bench: tools
	npx tsx bench/cloneset-vs-deployment.ts $(BENCH_FLAGS)

## image: the reference implementation's manager image (localhost/kruise-ref:<version>) with podman,
## on a Debian base debootstrapped here (cold ~80 s, warm ~4 s); BASE_IMAGE=<glibc image> to use a registry's
image: install
	impl/image/build.sh
