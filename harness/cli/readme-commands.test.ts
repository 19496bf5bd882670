// Every command line README.md shows must start: `npx kruise-conformance …` and `npx tsx …` lines
// with --help (a real run is too long for the unit project) and every option they use known to
// that command; `make …` lines as a dry run (`make -n`), which fails for an unknown target. One at
// a time: thirty npx processes at once time out on a loaded 2-core machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/cache.ts';
import { expandAlternatives, type ReadmeCommand, readmeCommands } from './readme-commands.ts';

describe('README command lines: the parser', () => {
  it('expands subcommand alternatives, keeps one option value, and drops [ ]', () => {
    expect(expandAlternatives('npx kruise-conformance cluster up|down --provider local|kind')).toEqual([
      'npx kruise-conformance cluster up --provider local',
      'npx kruise-conformance cluster down --provider local',
    ]);
    const md = ['Run `make test` first.', '```sh', 'export KUBECONFIG=$(make -s cluster | tail -n1)', 'kubectl get nodes', 'npx kruise-conformance run --help   # every option', '```', '```', 'npx not-a-command', '```'].join('\n');
    expect(readmeCommands(md).map((c) => [c.line, c.text])).toEqual([
      [1, 'make test'],
      [3, 'make -s cluster'],
      [5, 'npx kruise-conformance run --help'],
    ]);
    expect(readmeCommands('`npx kruise-conformance cluster up [--name N]`')[0]!.argv).toEqual(['npx', 'kruise-conformance', 'cluster', 'up', '--name', 'N']);
  });
});

const commands = readmeCommands(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));

async function start(argv: string[]) {
  const [file, ...args] = argv;
  return execa(file!, args, { cwd: REPO_ROOT, reject: false, all: true, timeout: 240_000, env: { NO_COLOR: '1' } });
}

const helps = new Map<string, Promise<Awaited<ReturnType<typeof start>>>>();
function help(prefix: string[]) {
  const key = prefix.join(' ');
  if (!helps.has(key)) helps.set(key, start([...prefix, '--help']));
  return helps.get(key)!;
}

/** Subcommand names listed under "Commands:" in a commander help text. */
function subcommands(helpText: string): string[] {
  const section = helpText.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
}

function describeRun(c: ReadmeCommand, r: Awaited<ReturnType<typeof start>>) {
  return `README.md:${c.line} "${c.text}": exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${(r.all ?? '').slice(-2000)}`;
}

/** `npx <program> a b --x 1` -> the command path (a b, walking the help tree) and its options. */
async function checkWithHelp(c: ReadmeCommand, program: string[], rest: string[]) {
  const path = [...program];
  let r = await help(path);
  expect(r.exitCode, describeRun(c, r)).toBe(0);
  const globalHelp = r.all ?? '';
  for (const word of rest) {
    if (word.startsWith('-') || !subcommands(r.all ?? '').includes(word)) break;
    path.push(word);
    r = await help(path);
    expect(r.exitCode, describeRun(c, r)).toBe(0);
  }
  const text = `${r.all ?? ''}\n${globalHelp}`;
  for (const opt of rest.filter((w) => /^--?[a-z]/i.test(w) && w !== '--help')) {
    const name = opt.split('=')[0]!;
    expect(new RegExp(`(^|[\\s,])${name.replace(/[-]/g, '\\-')}([\\s,=]|$)`, 'm').test(text), `README.md:${c.line} "${c.text}": ${path.slice(1).join(' ')} has no option ${name}\n${r.all}`).toBe(true);
  }
}

describe('README command lines start', { timeout: 300_000 }, () => {
  it('finds the commands the README shows', () => {
    // A parser that finds nothing would pass every check below.
    expect(commands.filter((c) => c.argv[0] === 'make').length).toBeGreaterThan(10);
    expect(commands.filter((c) => c.argv[1] === 'kruise-conformance').length).toBeGreaterThan(5);
  });

  for (const c of commands) {
    it(`README.md:${c.line}: ${c.text}`, async () => {
      const [program, first, ...rest] = c.argv;
      if (program === 'make') {
        const r = await start(['make', '-n', ...c.argv.slice(1)]);
        expect(r.exitCode, describeRun(c, r)).toBe(0);
      } else if (first === 'kruise-conformance') {
        await checkWithHelp(c, ['npx', 'kruise-conformance'], rest);
      } else if (first === 'tsx') {
        await checkWithHelp(c, ['npx', 'tsx', rest[0]!], rest.slice(1));
      } else {
        throw new Error(`README.md:${c.line} "${c.text}": no check for this program; add one`);
      }
    });
  }
});
