// The informer's list/watch protocol against a scripted fake apiserver: resume from the last
// resourceVersion (including bookmarks) without relisting, relist on 410 Gone with deletes for
// objects that vanished, paginated lists, and kind/apiVersion filled in for list items.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { kindFromList, SharedInformer } from './informer.ts';
import { createLogger } from './logger.ts';

const quiet = createLogger({ level: 'fatal', stream: { write: () => true } });

function cm(name: string, rv: string, v = ''): V1ConfigMap {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { v } };
}

type Step =
  | { list: { items: V1ConfigMap[]; rv: string; continue?: string } }
  | { watch: Array<{ type: string; object: unknown }>; hold?: boolean };

async function fakeApiserver(steps: Step[]) {
  const requests: Array<Record<string, string>> = [];
  const open: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(Object.fromEntries(url.searchParams));
    const step = steps.shift();
    const isWatch = url.searchParams.get('watch') === 'true';
    if (!step || ('list' in step) === isWatch) {
      res.writeHead(500).end(`unexpected ${isWatch ? 'watch' : 'list'} request ${req.url}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if ('list' in step) {
      res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: step.list.rv, continue: step.list.continue }, items: step.list.items }));
      return;
    }
    for (const ev of step.watch) res.write(JSON.stringify(ev) + '\n');
    if (step.hold) open.push(res);
    else res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return {
    kc,
    requests,
    remaining: () => steps.length,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('SharedInformer list/watch', () => {
  it('resumes after a watch ends, relists on 410 Gone and emits the difference', async () => {
    const api = await fakeApiserver([
      { list: { items: [cm('a', '5', '1')], rv: '9', continue: 'page2' } },
      { list: { items: [cm('b', '6')], rv: '10' } },
      {
        watch: [
          { type: 'MODIFIED', object: cm('a', '11', '2') },
          { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '12' } } },
        ],
      },
      { watch: [{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 12 (15)' } }] },
      { list: { items: [cm('a', '11', '2'), cm('c', '18')], rv: '20' } },
      { watch: [{ type: 'DELETED', object: cm('a', '21', '2') }], hold: true },
    ]);
    cleanup.push(api.close);
    const inf = new SharedInformer<V1ConfigMap>(api.kc, '/api/v1/configmaps', quiet, { delay: async () => undefined });
    const events: string[] = [];
    inf.on((ev) => events.push(`${ev.type} ${ev.object.metadata?.name}@${ev.object.metadata?.resourceVersion}`));
    inf.start();
    cleanup.push(() => inf.stop());
    await inf.waitForSync();
    expect(inf.list().map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(inf.get('ns', 'a')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    await new Promise<void>((resolve) => {
      const check = () => api.remaining() === 0 && !inf.get('ns', 'a') && resolve();
      inf.on(check);
      check();
    });
    expect(events).toEqual(['add a@5', 'add b@6', 'update a@11', 'add c@18', 'delete b@6', 'delete a@21']);
    // list page 1, page 2, watch from the list, resume from the bookmark, relist, watch from the relist.
    expect(api.requests.map((q) => (q.watch ? `watch rv=${q.resourceVersion}` : `list continue=${q.continue ?? ''}`))).toEqual([
      'list continue=',
      'list continue=page2',
      'watch rv=10',
      'watch rv=12',
      'list continue=',
      'watch rv=20',
    ]);
    expect(api.requests.filter((q) => q.watch).every((q) => q.allowWatchBookmarks === 'true')).toBe(true);
    expect(inf.resourceVersion).toBe('21');
  });

  it('retries a failing list with backoff and syncs once the server answers', async () => {
    const api = await fakeApiserver([
      { watch: [] }, // a watch where a list is expected: the fake answers 500
      { list: { items: [cm('a', '1')], rv: '2' } },
      { watch: [], hold: true },
    ]);
    cleanup.push(api.close);
    const delays: number[] = [];
    const inf = new SharedInformer<V1ConfigMap>(api.kc, '/api/v1/configmaps', quiet, {
      delay: async (ms) => void delays.push(ms),
    });
    inf.start();
    cleanup.push(() => inf.stop());
    await inf.waitForSync();
    expect(delays).toEqual([500]);
    expect(inf.list()).toHaveLength(1);
  });
});

describe('kindFromList', () => {
  it.each([
    ['/api/v1/pods', 'v1', 'Pod'],
    ['/api/v1/namespaces/x/configmaps', 'v1', 'ConfigMap'],
    ['/apis/apps.kruise.io/v1alpha1/clonesets', 'apps.kruise.io/v1alpha1', 'CloneSet'],
    ['/apis/apps.kruise.io/v1beta1/statefulsets', 'apps.kruise.io/v1beta1', 'StatefulSet'],
    ['/apis/example.com/v1/widgets', 'example.com/v1', undefined],
  ])('%s -> %s %s', (path, apiVersion, kind) => {
    expect(kindFromList(path)).toEqual({ apiVersion, kind });
  });
});
