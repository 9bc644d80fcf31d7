// The commands of README.md and docs/ that a reader is meant to run: every
// line of a fenced `sh` block right after a `<!-- test: NAME -->` comment,
// with the outcome the page promises in a trailing `# ...` comment.

/** The names of the marked sections of a page, in order of first appearance. */
export function sectionNames(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/^<!-- test: ([a-z0-9-]+) -->$/gm)].map((m) => m[1]!))];
}

export interface DocCommand {
  /** 1-based line number in the Markdown file, for failure messages. */
  line: number;
  /** The command as written, without its trailing comment. */
  command: string;
  /** The promised outcome: `Received Access-Accept`, `reject: replay`, ...; undefined: the command must succeed. */
  expect?: string;
}

/** Commands of the blocks marked `<!-- test: name -->`, in order; throws when a marker is not followed by an `sh` block. */
export function markedCommands(markdown: string, name = 'quickstart', file = 'README.md'): DocCommand[] {
  const marker = `<!-- test: ${name} -->`;
  const lines = markdown.split('\n');
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== marker) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    if (lines[j]?.trim() !== '```sh') throw new Error(`${file}:${i + 1}: ${marker} is not followed by a \`\`\`sh block`);
    for (j++; j < lines.length && lines[j]!.trim() !== '```'; j++) {
      const text = lines[j]!.trim();
      if (text === '' || text.startsWith('#')) continue;
      // A comment is "  # ..." after the command: two or more spaces keep a '#' inside the command (e.g. in quotes) apart.
      const m = /^(.*?)\s{2,}#\s+(.*)$/.exec(text);
      out.push(m ? { line: j + 1, command: m[1]!, expect: m[2]!.trim() } : { line: j + 1, command: text });
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: the marked block is not closed`);
  }
  return out;
}

/** What the command talks to: the server over RADIUS, or the CLI. */
export function commandKind(command: string): 'radius' | 'cli' | undefined {
  if (/^radtest\s/.test(command) || /^radclient\s/.test(command) || /^echo\s.*\|\s*radclient\s/.test(command)) return 'radius';
  if (/^node dist\/cli\/main\.js\s/.test(command) || /^npx otp-radius\s/.test(command) || /^otp-radius\s/.test(command)) return 'cli';
  return undefined;
}

/** The RADIUS server argument 127.0.0.1 (port 1812 implied) with an explicit port instead. */
export function withPort(command: string, port: number): string {
  return command.replace(/(?<=\s)127\.0\.0\.1(?=\s)/g, `127.0.0.1:${port}`);
}
