// The pre-delete check against a fake apiserver: a plain HTTP server that answers the list and
// discovery paths from a table, so the real client code (kube-http) is what is tested.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { describeResult, kubeHookApi, OPENKRUISE_HOOK_RESOURCES, runHookCheck } from './helm-hook.ts';
import { runHelmHook } from './kruise-ref.ts';

type Item = { name: string; namespace?: string };
interface FakeApi {
  /** "v1alpha1/clonesets" -> items; a path absent here answers 404 (not served). */
  lists: Record<string, Item[]>;
  /** "v1alpha1/clonesets" -> continue token returned with an empty page. */
  continueOnly?: string[];
  /** Resource lists by version for discovery; absent -> the group is not served. */
  discovery?: Record<string, Array<{ name: string; kind: string; verbs: string[] }>>;
  /** Paths answered with this status instead (e.g. 403). */
  fail?: Record<string, number>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function fakeApiserver(api: FakeApi): Promise<{ kc: KubeConfig; file: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    const send = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const failed = api.fail?.[url.pathname];
    if (failed) return send(failed, { kind: 'Status', code: failed, message: `fake refusal of ${url.pathname}` });
    const m = /^\/apis\/apps\.kruise\.io(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(url.pathname);
    if (!m) return send(404, { kind: 'Status', code: 404, message: 'not found' });
    const [, version, plural] = m;
    if (!version) {
      if (!api.discovery) return send(404, { kind: 'Status', code: 404, message: 'group not served' });
      return send(200, { kind: 'APIGroup', name: 'apps.kruise.io', versions: Object.keys(api.discovery).map((v) => ({ groupVersion: `apps.kruise.io/${v}`, version: v })) });
    }
    if (!plural) {
      const resources = api.discovery?.[version];
      if (!resources) return send(404, { kind: 'Status', code: 404, message: 'version not served' });
      return send(200, { kind: 'APIResourceList', groupVersion: `apps.kruise.io/${version}`, resources });
    }
    const key = `${version}/${plural}`;
    const items = api.lists[key];
    if (!items) return send(404, { kind: 'Status', code: 404, message: 'the server could not find the requested resource' });
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const page = limit > 0 ? items.slice(0, limit) : items;
    const cont = api.continueOnly?.includes(key) ? 'token' : limit > 0 && items.length > limit ? 'more' : undefined;
    return send(200, {
      kind: 'List',
      metadata: cont ? { continue: cont } : {},
      items: api.continueOnly?.includes(key) ? [] : page.map((i) => ({ metadata: { name: i.name, ...(i.namespace ? { namespace: i.namespace } : {}) } })),
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const file = join(mkdtempSync(join(tmpdir(), 'kc-hook-')), 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    }),
  );
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return { kc, file, requests };
}

const ALL_SERVED_EMPTY = { 'v1alpha1/clonesets': [], 'v1alpha1/statefulsets': [], 'v1beta1/statefulsets': [], 'v1alpha1/daemonsets': [] };

describe('helm-hook pre-delete check', () => {
  it('passes a clean cluster after listing the four resources OpenKruise checks, each cluster-wide with limit=1', async () => {
    const f = await fakeApiserver({ lists: ALL_SERVED_EMPTY });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking).toEqual([]);
    expect(f.requests).toEqual(OPENKRUISE_HOOK_RESOURCES.map((r) => `/apis/apps.kruise.io/${r.version}/${r.plural}?limit=1`));
    expect(describeResult(result, { allKinds: false }).code).toBe(0);
  });

  it('blocks on a CloneSet and names it, namespace/name', async () => {
    const f = await fakeApiserver({ lists: { ...ALL_SERVED_EMPTY, 'v1alpha1/clonesets': [{ namespace: 'web', name: 'frontend' }, { namespace: 'web', name: 'b' }] } });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking).toEqual([{ kind: 'CloneSet', apiVersion: 'apps.kruise.io/v1alpha1', example: 'web/frontend' }]);
    const { code, lines } = describeResult(result, { allKinds: false });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('CloneSet (apps.kruise.io/v1alpha1): e.g. web/frontend');
  });

  it('lists every blocking kind, each once, and does not list a kind again at its second version', async () => {
    const sts = [{ namespace: 'db', name: 'pg' }];
    const f = await fakeApiserver({
      lists: { 'v1alpha1/clonesets': [{ namespace: 'a', name: 'c' }], 'v1alpha1/statefulsets': sts, 'v1beta1/statefulsets': sts, 'v1alpha1/daemonsets': [{ namespace: 'n', name: 'agent' }] },
    });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking.map((b) => `${b.kind} ${b.example}`)).toEqual(['CloneSet a/c', 'StatefulSet db/pg', 'DaemonSet n/agent']);
    expect(f.requests.filter((r) => r.includes('statefulsets'))).toEqual(['/apis/apps.kruise.io/v1alpha1/statefulsets?limit=1']);
  });

  it('blocks on a StatefulSet served only at v1beta1', async () => {
    const f = await fakeApiserver({ lists: { 'v1alpha1/clonesets': [], 'v1beta1/statefulsets': [{ namespace: 'db', name: 'pg' }] } });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking).toEqual([{ kind: 'StatefulSet', apiVersion: 'apps.kruise.io/v1beta1', example: 'db/pg' }]);
  });

  it('counts a kind whose API is not served (404) as none: only CloneSets served, none exist', async () => {
    const f = await fakeApiserver({ lists: { 'v1alpha1/clonesets': [] } });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking).toEqual([]);
    expect(result.checked).toEqual([
      { resource: 'apps.kruise.io/v1alpha1/clonesets', served: true },
      { resource: 'apps.kruise.io/v1alpha1/statefulsets', served: false },
      { resource: 'apps.kruise.io/v1beta1/statefulsets', served: false },
      { resource: 'apps.kruise.io/v1alpha1/daemonsets', served: false },
    ]);
    expect(describeResult(result, { allKinds: false }).lines[0]).toContain('1 of 4 lists served');
  });

  it('blocks on a page that is empty but carries a continue token', async () => {
    const f = await fakeApiserver({ lists: { ...ALL_SERVED_EMPTY }, continueOnly: ['v1alpha1/daemonsets'] });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: false });
    expect(result.blocking).toEqual([{ kind: 'DaemonSet', apiVersion: 'apps.kruise.io/v1alpha1' }]);
    expect(describeResult(result, { allKinds: false }).lines[1]).toContain('at least one');
  });

  it('ignores a SidecarSet without --all-kinds, as OpenKruise does, and blocks on it with --all-kinds (cluster-scoped name)', async () => {
    const api: FakeApi = {
      lists: { ...ALL_SERVED_EMPTY, 'v1alpha1/sidecarsets': [{ name: 'log-agent' }], 'v1alpha1/workloadspreads': [] },
      discovery: {
        v1alpha1: [
          { name: 'clonesets', kind: 'CloneSet', verbs: ['get', 'list', 'watch'] },
          { name: 'clonesets/status', kind: 'CloneSet', verbs: ['get', 'patch'] },
          { name: 'sidecarsets', kind: 'SidecarSet', verbs: ['list'] },
          { name: 'workloadspreads', kind: 'WorkloadSpread', verbs: ['list'] },
          { name: 'nolist', kind: 'NoList', verbs: ['get'] },
        ],
        v1beta1: [{ name: 'statefulsets', kind: 'StatefulSet', verbs: ['list'] }],
      },
    };
    const f = await fakeApiserver(api);
    expect((await runHookCheck(kubeHookApi(f.kc), { allKinds: false })).blocking).toEqual([]);
    const all = await runHookCheck(kubeHookApi(f.kc), { allKinds: true });
    expect(all.blocking).toEqual([{ kind: 'SidecarSet', apiVersion: 'apps.kruise.io/v1alpha1', example: 'log-agent' }]);
    const listed = all.checked.map((c) => c.resource);
    expect(listed).toContain('apps.kruise.io/v1alpha1/workloadspreads');
    expect(listed.some((r) => r.includes('/status') || r.includes('nolist'))).toBe(false);
    expect(listed.filter((r) => r.endsWith('/v1beta1/statefulsets'))).toHaveLength(1);
  });

  it('with --all-kinds and the group not served at all, passes', async () => {
    const f = await fakeApiserver({ lists: {} });
    const result = await runHookCheck(kubeHookApi(f.kc), { allKinds: true });
    expect(result.blocking).toEqual([]);
    expect(result.checked.every((c) => !c.served)).toBe(true);
  });

  it('the subcommand exits 1 naming the kind, 0 when clean, 3 (refusing) when a list is forbidden', async () => {
    const blocked = await fakeApiserver({ lists: { ...ALL_SERVED_EMPTY, 'v1alpha1/clonesets': [{ namespace: 'ns', name: 'keep-me' }] } });
    const out: string[] = [];
    const err: string[] = [];
    expect(await runHelmHook({ kubeconfig: blocked.file, allKinds: false }, (l) => out.push(l), (l) => err.push(l))).toBe(1);
    expect(err.join('\n')).toMatch(/uninstall refused[\s\S]*CloneSet \(apps\.kruise\.io\/v1alpha1\): e\.g\. ns\/keep-me/);

    const clean = await fakeApiserver({ lists: ALL_SERVED_EMPTY });
    out.length = 0;
    expect(await runHelmHook({ kubeconfig: clean.file, allKinds: false }, (l) => out.push(l), () => {})).toBe(0);
    expect(out[0]).toMatch(/^cluster is clean/);

    const forbidden = await fakeApiserver({ lists: ALL_SERVED_EMPTY, fail: { '/apis/apps.kruise.io/v1beta1/statefulsets': 403 } });
    err.length = 0;
    expect(await runHelmHook({ kubeconfig: forbidden.file, allKinds: false }, () => {}, (l) => err.push(l))).toBe(3);
    expect(err[0]).toContain('could not be made, so the uninstall is refused: HTTP 403: fake refusal of /apis/apps.kruise.io/v1beta1/statefulsets');
  });

  it('`kruise-ref helm-hook` as a process: exit 1 and the kind on stderr, then --all-kinds adds a SidecarSet', { timeout: 60_000 }, async () => {
    const f = await fakeApiserver({
      lists: { ...ALL_SERVED_EMPTY, 'v1beta1/statefulsets': [{ namespace: 'db', name: 'pg' }], 'v1alpha1/sidecarsets': [{ name: 'log-agent' }] },
      discovery: { v1alpha1: [{ name: 'sidecarsets', kind: 'SidecarSet', verbs: ['list'] }] },
    });
    const cli = fileURLToPath(new URL('./kruise-ref.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const r = await execa(tsx, [cli, 'helm-hook', '--kubeconfig', f.file], { reject: false, timeout: 55_000 });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain('StatefulSet (apps.kruise.io/v1beta1): e.g. db/pg');
    expect(r.stderr).not.toContain('SidecarSet');
    const all = await execa(tsx, [cli, 'helm-hook', '--kubeconfig', f.file, '--all-kinds'], { reject: false, timeout: 55_000 });
    expect(all.exitCode, all.stderr).toBe(1);
    expect(all.stderr).toContain('SidecarSet (apps.kruise.io/v1alpha1): e.g. log-agent');
  });
});
