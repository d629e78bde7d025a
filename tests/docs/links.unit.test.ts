import path from 'node:path';
import { anchorsOf, checkRepository, slug } from './links';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(__dirname, 'fixtures', 'broken');

describe('every link in the repository resolves', () => {
  test('relative links and anchors in every Markdown file, and doc paths named in code', () => {
    // This folder is skipped: its fixtures are broken on purpose, and this file names their targets.
    const problems = checkRepository(REPO_ROOT, [__dirname]);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.target}: ${p.problem}`)).toEqual([]);
  });
});

describe('the checker', () => {
  test('catches a missing file and a missing anchor, in Markdown and in code, and nothing else', () => {
    const found = checkRepository(FIXTURE).map((p) => `${p.file}:${p.line} ${p.target}`);
    expect(found).toEqual([
      'README.md:6 docs/missing.md',
      'README.md:7 docs/guide.md#no-such-heading',
      'docs/guide.md:5 ../README.md#no-such-top',
      'main.tf:1 docs/missing-runbook.md',
      'main.tf:1 docs/guide.md#gone',
    ]);
  });

  test('slugs headings as GitHub does', () => {
    expect(slug('2. Money rules')).toBe('2-money-rules');
    expect(slug('Doctor: `make doctor WS=<ws>` (`npx reconciler doctor`)')).toBe(
      'doctor-make-doctor-wsws-npx-reconciler-doctor',
    );
    expect(slug('Rollback and Terraform state')).toBe('rollback-and-terraform-state');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n')]).toEqual(['a', 'a-1']);
  });
});
