import { type RequestOptions, request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Load a kubeconfig from an explicit file and, if given, an explicit context. The harness never
 * reads the user's default kubeconfig or current context by accident: callers always pass a path.
 */
export function loadKubeConfig(path: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new Error(`context "${context}" not found in ${path} (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

/** GET a raw API path (such as /metrics or /version) with the kubeconfig's credentials. */
export async function rawGet(kc: KubeConfig, path: string, timeoutMs = 10_000): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: RequestOptions = {
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method: 'GET',
    headers: {},
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
        else resolve(body);
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
