/**
 * The suites' view of a run: the run environment written by the runner, a KubeConfig for the
 * cluster under test, and typed API clients. Read once per test file.
 */
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../harness/kube/client.ts';
import { RUN_ENV_VAR, type RunEnv, readRunEnv } from '../../harness/run/run-env.ts';

let cached: RunEnv | undefined;

export function runEnv(): RunEnv {
  if (cached) return cached;
  const path = process.env[RUN_ENV_VAR];
  if (!path) {
    throw new Error(
      `${RUN_ENV_VAR} is not set: the conformance suites run under the runner (make conformance, or npx kruise-conformance run), which brings up the cluster and installs the implementation first`,
    );
  }
  cached = readRunEnv(path);
  return cached;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  storage: StorageV1Api;
  custom: CustomObjectsApi;
}

let clients: Clients | undefined;

export function kube(): Clients {
  if (clients) return clients;
  const env = runEnv();
  const kc = loadKubeConfig(env.kubeconfig, env.context);
  clients = {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
  return clients;
}

export function timeouts(): RunEnv['timeouts'] {
  return runEnv().timeouts;
}
