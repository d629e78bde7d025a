/**
 * The CLI as shipped software (issue 15): build.mjs's buildCli bundles it to one plain-JS file that
 * starts with no node_modules at all (so neither tsx nor any devDependency), and everything bundled
 * into it is a production dependency by the lockfile.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { grantCredits } from '../../shared/ledger/manual-entries';
import type { TableNames } from '../../shared/tables';
import { dropTables, dynamoEndpoint, freshTables, localDynamo } from '../support/local-aws';

const root = join(__dirname, '..', '..');
let work: string;
let bundle: string;

/** Bundled packages (node_modules/<name>) the lockfile marks dev-only: must be none. */
function devPackagesIn(
  metafile: { inputs: Record<string, unknown> },
  lock: { packages: Record<string, { dev?: boolean }> },
): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]!.replace(/^.*?(node_modules\/)/, '$1'));
  }
  return [...dirs].filter((dir) => lock.packages[dir]?.dev === true).sort();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(root, 'build.mjs'))}); await m.buildCli({ quiet: true, outDir: ${JSON.stringify(join(work, 'build'))} });`,
    ],
    { cwd: root, stdio: 'pipe' },
  );
  // A directory with the bundle and nothing else: no node_modules anywhere above it either.
  mkdirSync(join(work, 'shipped'));
  bundle = join(work, 'shipped', 'reconciler.mjs');
  copyFileSync(join(work, 'build', 'reconciler.mjs'), bundle);
}, 120_000);

const cleanEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: work, ...extra };
  return env;
};
const runBundle = (args: string[], env = cleanEnv()) =>
  spawnSync(process.execPath, [bundle, ...args], { cwd: join(work, 'shipped'), env, encoding: 'utf8' });

describe('the built CLI', () => {
  test('package.json bin points at the built file', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.bin.reconciler).toBe('dist/cli/reconciler.mjs');
  });

  test('--help runs from a directory without node_modules, NODE_PATH unset', () => {
    const run = runBundle(['sweep', '--help']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: reconciler sweep');
  });

  test('nothing bundled is a devDependency (by the lockfile); the check catches one that is', () => {
    const metafile = JSON.parse(readFileSync(join(work, 'build', 'meta.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    expect(Object.keys(metafile.inputs).some((i) => i.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(devPackagesIn(metafile, lock)).toEqual([]);
    const broken = { inputs: { ...metafile.inputs, 'node_modules/tsx/dist/esm/api/index.mjs': {} } };
    expect(devPackagesIn(broken, lock)).toEqual(['node_modules/tsx']);
  });

  describe('against DynamoDB Local', () => {
    let db: DynamoDBClient;
    let tables: TableNames;
    beforeAll(async () => {
      db = localDynamo();
      tables = await freshTables(db, 'bundle');
      await grantCredits(
        { dynamodb: db, tables },
        { userId: 'u1', credits: 12345, reference: 'g1', description: 'grant' },
      );
    });
    afterAll(async () => {
      await dropTables(db, tables);
      db.destroy();
    });

    test('balance reads the tables (grouped in text, raw in JSON)', () => {
      const env = cleanEnv({
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
        AWS_REGION: 'us-east-1',
        JOBS_TABLE: tables.jobs,
        CREDITS_TABLE: tables.credits,
        LEDGER_TABLE: tables.ledger,
        SETTLEMENTS_TABLE: tables.settlements,
      });
      const text = runBundle(['balance', '--user', 'u1'], env);
      expect(text.status).toBe(0);
      expect(text.stdout).toContain('u1: 12,345 credits');
      const json = runBundle(['balance', '--user', 'u1', '--json'], env);
      expect(JSON.parse(json.stdout)).toMatchObject({ remaining: 12345 });
    });
  });
});
