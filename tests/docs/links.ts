/**
 * The link checker behind tests/docs/links.unit.test.ts: every relative link and #anchor in the
 * repository's Markdown, and every `docs/….md#anchor` a code comment or string names, must resolve.
 * Anchors are GitHub's heading slugs, because GitHub is where people read these pages.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface LinkProblem {
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** Folders that hold no docs of ours: dependencies, build output, caches, the checker's own fixtures. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git', '.demo', 'tools', '.terraform', '.out']);
const CODE_EXTENSIONS = ['.ts', '.mjs', '.js', '.tf'];

export function walk(root: string, keep: (file: string) => boolean, skip: readonly string[] = []): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !skip.includes(full)) visit(full);
      } else if (keep(full)) found.push(full);
    }
  };
  visit(root);
  return found.sort();
}

/** GitHub's slug of a heading: lower case, punctuation dropped, each space a hyphen. */
export function slug(heading: string): string {
  const text = heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  let fenced = false;
  const lines: { text: string; line: number }[] = [];
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    else if (!fenced) lines.push({ text, line: i + 1 });
  });
  return lines;
}

/** Every anchor a Markdown file offers: heading slugs (repeats numbered as GitHub does) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const base = slug(heading[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

/** Inline links `[text](target)` and reference definitions `[x]: target`, outside code. */
export function linksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line });
    const definition = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(prose);
    if (definition) links.push({ target: definition[1]!, line });
  }
  return links;
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Does `target` (a path, maybe with #anchor) resolve from `fromDir`? Undefined when it does. */
export function resolveTarget(fromFile: string, target: string, root: string): string | undefined {
  const [rawPath = '', anchor] = target.split('#', 2);
  const file =
    rawPath === ''
      ? fromFile
      : path.resolve(rawPath.startsWith('/') ? root : path.dirname(fromFile), decodeURI(rawPath.replace(/^\//, '')));
  if (!existsSync(file)) return `no such file ${path.relative(root, file)}`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  return anchorsOf(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor))
    ? undefined
    : `no heading #${anchor} in ${path.relative(root, file)}`;
}

export function checkMarkdown(root: string, files: readonly string[]): LinkProblem[] {
  const problems: LinkProblem[] = [];
  for (const file of files) {
    for (const { target, line } of linksOf(readFileSync(file, 'utf8'))) {
      if (isExternal(target)) continue;
      const problem = resolveTarget(file, target, root);
      if (problem) problems.push({ file: path.relative(root, file), line, target, problem });
    }
  }
  return problems;
}

/** Doc paths named in code (`docs/operations/alarms/drift.md`, `CONTRIBUTING.md#…`), read from the repository root. */
const CODE_REFERENCE = /(?<![\w/.-])((?:docs\/[\w./-]*\.md)|CONTRIBUTING\.md|README\.md)(#[\w-]+)?/g;

export function checkCodeReferences(root: string, files: readonly string[]): LinkProblem[] {
  const problems: LinkProblem[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(CODE_REFERENCE)) {
          const target = m[1]! + (m[2] ?? '');
          const problem = resolveTarget(path.join(root, 'index'), target, root);
          if (problem) problems.push({ file: path.relative(root, file), line: i + 1, target, problem });
        }
      });
  }
  return problems;
}

/** Everything under `root`: its Markdown and its code, minus `skip` (absolute folder paths). */
export function checkRepository(root: string, skip: readonly string[] = []): LinkProblem[] {
  const markdown = walk(root, (f) => f.endsWith('.md'), skip);
  const code = walk(root, (f) => CODE_EXTENSIONS.some((ext) => f.endsWith(ext)), skip);
  return [...checkMarkdown(root, markdown), ...checkCodeReferences(root, code)];
}
