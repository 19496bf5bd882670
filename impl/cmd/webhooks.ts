// The manager's seam to the webhook server (impl/webhooks/server.ts): starting it and probing it
// for readiness.
import { connect } from 'node:net';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../webhooks/server.ts';

export type WebhookOptions = WebhookServerOptions;
export type WebhookHandle = WebhookServer;

/** startWebhooks serves the admission webhooks and registers their configurations. */
export function startWebhooks(opts: WebhookOptions): Promise<WebhookHandle> {
  return startWebhookServer(opts);
}

/** portAccepts is a readiness probe for the webhook listener: a TCP connect that succeeds. */
export function portAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
