#!/usr/bin/env node
// The `kruise-conformance` command. The CLI is TypeScript (harness/cli/main.ts) and runs on the
// Node.js release this package pins (the `node` npm package in its dependencies), whatever `node`
// started this launcher: it re-executes itself there with tsx's loader, passes the arguments and
// signals through, and exits as the CLI does. Works from the repository after `npm ci`, with npx,
// and from a global install of the packed tarball.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function pinnedNode() {
  try {
    const bin = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
    if (existsSync(bin)) return bin;
  } catch {
    // fall through to the error below
  }
  return undefined;
}

const node = pinnedNode();
if (!node) {
  process.stderr.write(
    `kruise-conformance: the pinned Node.js (npm package "node") is not installed under ${root} (fix: run "npm ci" in ${root}, or reinstall the package)\n`,
  );
  process.exit(2);
}
let loader;
try {
  loader = pathToFileURL(require.resolve('tsx')).href;
} catch {
  process.stderr.write(`kruise-conformance: tsx is not installed under ${root} (fix: run "npm ci" in ${root}, or reinstall the package)\n`);
  process.exit(2);
}

const child = spawn(node, ['--import', loader, join(root, 'harness', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });

// Ctrl-C reaches the whole foreground process group, the CLI included, which cleans up on its own:
// the launcher only waits for it. Signals sent to the launcher alone are passed on.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));

child.on('error', (err) => {
  process.stderr.write(`kruise-conformance: cannot start ${node}: ${err.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
