// Minimal raw HTTP access to the apiserver for the informer's list and watch, on node:http(s) with
// the kubeconfig's TLS and auth (KubeConfig.applyToHTTPSOptions); the generated clients cannot
// list an arbitrary path or stream a watch with our own resume logic.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

export type Query = Record<string, string | number | boolean | undefined>;

/** KubeHttpError carries the HTTP status and the apiserver's Status message. */
export class KubeHttpError extends Error {
  override readonly name = 'KubeHttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

async function open(kc: KubeConfig, path: string, query: Query, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { ...opts, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function statusError(code: number, text: string): KubeHttpError {
  let body: unknown = text;
  let message = `HTTP ${code}`;
  try {
    body = JSON.parse(text);
    const m = (body as { message?: unknown }).message;
    if (typeof m === 'string') message = `HTTP ${code}: ${m}`;
  } catch {
    if (text) message = `HTTP ${code}: ${text.slice(0, 200)}`;
  }
  return new KubeHttpError(code, message, body);
}

/** getJson GETs path and parses the JSON body; a non-2xx answer throws KubeHttpError. */
export async function getJson<T>(kc: KubeConfig, path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const res = await open(kc, path, query, signal);
  const text = await readBody(res);
  const code = res.statusCode ?? 0;
  if (code < 200 || code >= 300) throw statusError(code, text);
  return JSON.parse(text) as T;
}

/**
 * streamLines GETs path and calls onLine for each line of the body until the server closes the
 * stream, the signal aborts, or no byte arrives for idleTimeoutMs. It resolves on a clean end and
 * rejects on errors (KubeHttpError for a non-2xx answer).
 */
export async function streamLines(
  kc: KubeConfig,
  path: string,
  query: Query,
  onLine: (line: string) => void,
  opts: { signal?: AbortSignal; idleTimeoutMs?: number } = {},
): Promise<void> {
  const res = await open(kc, path, query, opts.signal);
  const code = res.statusCode ?? 0;
  if (code < 200 || code >= 300) throw statusError(code, await readBody(res));
  await new Promise<void>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      if (!opts.idleTimeoutMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => res.destroy(new Error(`watch idle for ${opts.idleTimeoutMs} ms`)), opts.idleTimeoutMs);
    };
    arm();
    res.on('data', arm);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() !== '') onLine(line);
    });
    const fail = (err: unknown) => {
      clearTimeout(idle);
      reject(err);
    };
    // readline re-emits the input's errors on the interface; both need a listener.
    res.on('error', fail);
    lines.on('error', fail);
    res.on('end', () => {
      clearTimeout(idle);
      resolve();
    });
    res.on('close', () => {
      clearTimeout(idle);
      resolve();
    });
  });
}
