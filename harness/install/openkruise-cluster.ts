/**
 * The objects that run OpenKruise in the cluster under test, as its own install does (chart
 * `kruise`, spec §8.2), generated here rather than rendered from the chart (not obtainable here):
 * - from the release's Go module (config/, read in the Go module cache, never copied): every CRD
 *   (with webhook conversion where its kustomization enables it), the generated manager
 *   ClusterRole (config/rbac/role.yaml), the leader-election Role, the daemon's ClusterRole, the
 *   daemon's secret Role in kruise-daemon-config, and the webhook configurations the manager fills in;
 * - our own: namespaces, service accounts and bindings, the webhook Service
 *   (kruise-webhook-service, 443 -> 9876), Deployment kruise-controller-manager and DaemonSet
 *   kruise-daemon.
 * The manager is left to do what it does by default in a cluster: with no WEBHOOK_HOST it issues
 * its certificates for the Service's DNS name, keeps them in Secret kruise-system/
 * kruise-webhook-certs (which it creates) and patches the CA into the webhook configurations and
 * the converting CRDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRUISE_NAMESPACE, type KubeObject, WEBHOOK_SERVICE, crdObjects, webhookConfigurations, yamlDocuments } from './openkruise.ts';
import { featureGatesFlag } from './process.ts';

export const MANAGER_DEPLOYMENT = 'kruise-controller-manager';
export const DAEMON_DAEMONSET = 'kruise-daemon';
export const MANAGER_SERVICE_ACCOUNT = 'kruise-manager';
export const DAEMON_SERVICE_ACCOUNT = 'kruise-daemon';
/** The namespace kruise-daemon reads image-pull secrets from (its Role is in the module's config/daemonconfig). */
export const DAEMON_CONFIG_NAMESPACE = 'kruise-daemon-config';
export const WEBHOOK_PORT = 9876;
export const METRICS_PORT = 8080;
export const HEALTH_PORT = 8000;
export const DAEMON_PORT = 10221;
/** Where kruise-daemon looks for CRI sockets (pkg/daemon/criruntime: /hostvarrun/containerd/containerd.sock among others). */
export const DAEMON_SOCKET_DIR = '/hostvarrun';
/** kind's containerd socket directory on the node. */
export const NODE_CONTAINERD_DIR = '/run/containerd';

const MANAGER_LABELS = { 'control-plane': 'controller-manager' };
const DAEMON_LABELS = { 'control-plane': 'daemon' };

export interface InClusterOptions {
  /** The release's module source (harness/tools/install.ts moduleSourceDir). */
  moduleDir: string;
  gates: Record<string, boolean>;
  managerImage: string;
  daemonImage: string;
  /** Extra manager flags, after ours. */
  managerArgs?: readonly string[];
  /** klog verbosity of both (the chart's default is 4, which floods a 2-core machine's logs). */
  logLevel?: number;
}

function readObjects(moduleDir: string, relative: string): KubeObject[] {
  const path = join(moduleDir, 'config', relative);
  return yamlDocuments(readFileSync(path, 'utf8'), path);
}

/** The one object of `kind` in a module file, renamed (kustomize's `kruise-` prefix) and placed. */
function moduleObject(moduleDir: string, relative: string, kind: string, name: string, namespace?: string): KubeObject {
  const found = readObjects(moduleDir, relative).filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`config/${relative} in ${moduleDir}: expected one ${kind}, found ${found.length}`);
  const { creationTimestamp: _drop, ...metadata } = found[0]!.metadata;
  return { ...found[0]!, metadata: { ...metadata, name, ...(namespace ? { namespace } : {}) } };
}

function serviceAccount(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: KRUISE_NAMESPACE } };
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: KubeObject, account: string): KubeObject {
  const namespace = kind === 'RoleBinding' ? { namespace: KRUISE_NAMESPACE } : {};
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name: role.metadata.name },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: KRUISE_NAMESPACE }],
  };
}

/** RBAC of manager and daemon: rules from the module, names as the chart has them. */
export function rbacObjects(moduleDir: string): KubeObject[] {
  const managerRole = moduleObject(moduleDir, 'rbac/role.yaml', 'ClusterRole', 'kruise-manager-role');
  const leaderRole = moduleObject(moduleDir, 'rbac/leader_election_role.yaml', 'Role', 'kruise-leader-election-role', KRUISE_NAMESPACE);
  const daemonRole = moduleObject(moduleDir, 'rbac/daemon_role.yaml', 'ClusterRole', 'kruise-daemon-role');
  // Already named and placed for the installed names (kruise-daemon in kruise-system).
  const daemonConfig = readObjects(moduleDir, 'daemonconfig/config/rbac.yaml').map(({ metadata: { creationTimestamp: _drop, ...metadata }, ...o }) => ({ ...o, metadata }) as KubeObject);
  const subjects = daemonConfig.flatMap((o) => (o.subjects as { name: string; namespace?: string }[] | undefined) ?? []);
  if (!subjects.every((s) => s.name === DAEMON_SERVICE_ACCOUNT && s.namespace === KRUISE_NAMESPACE)) {
    throw new Error(`config/daemonconfig/config/rbac.yaml in ${moduleDir} binds ${JSON.stringify(subjects)}, not ${KRUISE_NAMESPACE}/${DAEMON_SERVICE_ACCOUNT}`);
  }
  return [
    serviceAccount(MANAGER_SERVICE_ACCOUNT),
    serviceAccount(DAEMON_SERVICE_ACCOUNT),
    managerRole,
    binding('ClusterRoleBinding', 'kruise-manager-rolebinding', managerRole, MANAGER_SERVICE_ACCOUNT),
    leaderRole,
    binding('RoleBinding', 'kruise-leader-election-rolebinding', leaderRole, MANAGER_SERVICE_ACCOUNT),
    daemonRole,
    binding('ClusterRoleBinding', 'kruise-daemon-rolebinding', daemonRole, DAEMON_SERVICE_ACCOUNT),
    ...daemonConfig,
  ];
}

export function webhookService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: WEBHOOK_SERVICE, namespace: KRUISE_NAMESPACE },
    spec: { selector: MANAGER_LABELS, ports: [{ name: 'webhook', port: 443, targetPort: WEBHOOK_PORT, protocol: 'TCP' }] },
  };
}

/** One manager replica with leader election on, as the chart runs two; the certificates are its own. */
export function managerDeployment(opts: InClusterOptions): KubeObject {
  const args = [
    '--enable-leader-election',
    `--leader-election-namespace=${KRUISE_NAMESPACE}`,
    `--metrics-addr=:${METRICS_PORT}`,
    `--health-probe-addr=:${HEALTH_PORT}`,
    '--enable-pprof=false',
    '--logtostderr=true',
    `--v=${opts.logLevel ?? 2}`,
    ...(Object.keys(opts.gates).length > 0 ? [`--feature-gates=${featureGatesFlag(opts.gates)}`] : []),
    ...(opts.managerArgs ?? []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: MANAGER_DEPLOYMENT, namespace: KRUISE_NAMESPACE, labels: MANAGER_LABELS },
    spec: {
      replicas: 1,
      selector: { matchLabels: MANAGER_LABELS },
      template: {
        metadata: { labels: MANAGER_LABELS },
        spec: {
          serviceAccountName: MANAGER_SERVICE_ACCOUNT,
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'manager',
              image: opts.managerImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['/manager'],
              args,
              env: [
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'WEBHOOK_PORT', value: String(WEBHOOK_PORT) },
              ],
              ports: [
                { name: 'webhook-server', containerPort: WEBHOOK_PORT, protocol: 'TCP' },
                { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' },
              ],
              // /readyz includes kruise's webhook-ready check (certificates in place, configurations patched, TLS answering).
              readinessProbe: { httpGet: { path: '/readyz', port: HEALTH_PORT }, periodSeconds: 2 },
              resources: { requests: { cpu: '100m', memory: '256Mi' } },
              securityContext: { runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

/**
 * kruise-daemon on every node: host network (its probes reach pod IPs, its health port is the
 * node's), privileged, kind's containerd socket directory mounted at /hostvarrun/containerd where
 * the daemon's runtime detection looks, NODE_NAME from the downward API.
 */
export function daemonDaemonSet(opts: InClusterOptions): KubeObject {
  const args = [
    '--logtostderr=true',
    `--v=${opts.logLevel ?? 2}`,
    `--addr=:${DAEMON_PORT}`,
    '--enable-pprof=false',
    ...(Object.keys(opts.gates).length > 0 ? [`--feature-gates=${featureGatesFlag(opts.gates)}`] : []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: DAEMON_DAEMONSET, namespace: KRUISE_NAMESPACE, labels: DAEMON_LABELS },
    spec: {
      selector: { matchLabels: DAEMON_LABELS },
      template: {
        metadata: { labels: DAEMON_LABELS },
        spec: {
          serviceAccountName: DAEMON_SERVICE_ACCOUNT,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          terminationGracePeriodSeconds: 10,
          tolerations: [{ operator: 'Exists' }],
          // The serverless protocol's nodes run no daemon (the chart's default affinity).
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] }] } } },
          containers: [
            {
              name: 'daemon',
              image: opts.daemonImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['/kruise-daemon'],
              args,
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
              livenessProbe: { httpGet: { path: '/healthz', port: DAEMON_PORT, scheme: 'HTTP' }, initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 3 },
              resources: { requests: { cpu: '0', memory: '0' } },
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'containerd', mountPath: `${DAEMON_SOCKET_DIR}/containerd`, readOnly: true }],
            },
          ],
          volumes: [{ name: 'containerd', hostPath: { path: NODE_CONTAINERD_DIR, type: 'Directory' } }],
        },
      },
    },
  };
}

/** Everything, in apply order: namespaces, CRDs, RBAC, webhook configurations, Service, workloads. */
export function inClusterObjects(opts: InClusterOptions): KubeObject[] {
  const webhookDir = join(opts.moduleDir, 'config', 'webhook');
  return [
    // Labelled as the chart labels it: the pod webhooks skip namespaces with a control-plane label,
    // so the manager's own pods and the daemons are admitted while the manager is not yet serving.
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KRUISE_NAMESPACE, labels: { 'control-plane': 'openkruise' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DAEMON_CONFIG_NAMESPACE } },
    ...crdObjects(opts.moduleDir),
    ...rbacObjects(opts.moduleDir),
    ...webhookConfigurations(readFileSync(join(webhookDir, 'manifests.yaml'), 'utf8'), readFileSync(join(webhookDir, 'patch_manifests.yaml'), 'utf8')),
    webhookService(),
    managerDeployment(opts),
    daemonDaemonSet(opts),
  ];
}
