/**
 * The command lines README.md shows a reader, parsed so a test can start each one: fenced `sh`
 * blocks line by line (comments dropped, `$(…)` substitutions taken apart) and inline code spans
 * in the prose that begin with a command. `a|b` alternatives in a word give one command each, and
 * `[--flag X]` optional parts are kept.
 */

export interface ReadmeCommand {
  /** The command as written (after expansion of alternatives). */
  text: string;
  /** 1-based line in README.md, for failure messages. */
  line: number;
  /** The program and its arguments. */
  argv: string[];
}

const PROGRAMS = ['npx', 'make'];

function stripComment(line: string): string {
  const i = line.search(/(^|\s)#/);
  return (i < 0 ? line : line.slice(0, i)).trim();
}

/** Commands in a shell line: each `$(…)` body, and the line itself unless it only assigns. */
function commandsOfShellLine(line: string): string[] {
  const out: string[] = [];
  // Shell operators stand between spaces here; a `|` inside a word is a list of alternatives.
  const split = (s: string) => s.split(/\s+(?:\|\||&&|\|)\s+|\s*;\s*/).map((c) => c.trim());
  for (const m of line.matchAll(/\$\(([^)]*)\)/g)) out.push(...split(m[1]!));
  const rest = line.replace(/\$\([^)]*\)/g, 'SUBST').replace(/^export\s+\w+=\S*$/, '').trim();
  if (rest) out.push(...split(rest));
  return out.filter((c) => PROGRAMS.includes(c.split(/\s+/)[0] ?? ''));
}

/** One command per alternative of the first word with `|` in it (then recursively). */
export function expandAlternatives(text: string): string[] {
  const words = text.split(/\s+/);
  const i = words.findIndex((w) => /^[\w.-]+(\|[\w.-]+)+$/.test(w));
  if (i < 0) return [text];
  // An alternative among option values (`--provider local|kind`) needs only one of them: the
  // value is not what starts the command. Alternatives among subcommands each get a line.
  if (i > 0 && words[i - 1]!.startsWith('-')) return expandAlternatives([...words.slice(0, i), words[i]!.split('|')[0]!, ...words.slice(i + 1)].join(' '));
  return words[i]!.split('|').flatMap((alt) => expandAlternatives([...words.slice(0, i), alt, ...words.slice(i + 1)].join(' ')));
}

export function readmeCommands(markdown: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  const add = (raw: string, line: number) => {
    const cleaned = raw.replace(/[[\]]/g, '').replace(/\s+/g, ' ').trim();
    for (const text of expandAlternatives(cleaned)) found.push({ text, line, argv: text.split(' ') });
  };
  let fence: string | undefined;
  markdown.split('\n').forEach((lineText, i) => {
    const open = /^```(\S*)/.exec(lineText);
    if (open) {
      fence = fence === undefined ? open[1] || 'text' : undefined;
      return;
    }
    if (fence !== undefined) {
      if (fence === 'sh' || fence === 'bash') for (const c of commandsOfShellLine(stripComment(lineText))) add(c, i + 1);
      return;
    }
    for (const m of lineText.matchAll(/`([^`]+)`/g)) {
      const span = m[1]!.trim();
      if (PROGRAMS.includes(span.split(/\s+/)[0] ?? '') && span.includes(' ')) add(span, i + 1);
    }
  });
  return found;
}
