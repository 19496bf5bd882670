// HTTP endpoints of the manager: /metrics (Prometheus text), /healthz and /readyz (named checks,
// `?verbose` lists them). Metrics and health may share a port or use two.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Check = () => boolean | Promise<boolean>;

export interface Endpoints {
  metrics?: () => string;
  healthChecks?: Map<string, Check>;
  readyChecks?: Map<string, Check>;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

async function runChecks(checks: Map<string, Check>): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    let passed = false;
    try {
      passed = await check();
    } catch {
      passed = false;
    }
    ok &&= passed;
    lines.push(`[${passed ? '+' : '-'}]${name} ${passed ? 'ok' : 'failed'}`);
  }
  return { ok, lines };
}

/** startHttpServer serves the given endpoints on host:port (port 0 picks a free one). */
export function startHttpServer(host: string, port: number, endpoints: Endpoints): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (url.pathname === '/metrics' && endpoints.metrics) {
      reply(200, endpoints.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    const checks = url.pathname === '/healthz' ? endpoints.healthChecks : url.pathname === '/readyz' ? endpoints.readyChecks : undefined;
    if (checks) {
      void runChecks(checks).then(({ ok, lines }) => {
        const verbose = url.searchParams.has('verbose');
        const body = verbose || !ok ? `${lines.join('\n')}\n${url.pathname.slice(1)} check ${ok ? 'passed' : 'failed'}\n` : 'ok';
        reply(ok ? 200 : 500, body);
      });
      return;
    }
    reply(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
