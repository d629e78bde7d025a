/**
 * `make build` output: each handler bundles to dist/<handler>/index.mjs and loads in a fresh Node
 * process (ESM + CommonJS dependencies through the createRequire banner), exporting `handler`;
 * each has a zip for Terraform; the committed schema validator matches the schema.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { dropTables, dynamoEndpoint, freshTablesWithBalances, localDynamo } from '../support/local-aws';

const root = join(__dirname, '..', '..');

/** File names in a zip's central directory (enough of the format for a deterministic yazl zip). */
function zipEntries(path: string): string[] {
  const zip = readFileSync(path);
  const names: string[] = [];
  for (let at = zip.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 46, 'latin1')) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
  }
  return names;
}
const handlers = readdirSync(join(root, 'functions')).filter((name) =>
  existsSync(join(root, 'functions', name, 'index.ts')),
);

beforeAll(() => {
  execFileSync('node', ['build.mjs'], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe('bundles', () => {
  test('every handler under functions/ is built, with a zip', () => {
    expect(handlers).toEqual(expect.arrayContaining(['debit', 'refund']));
    for (const handler of handlers) {
      expect(existsSync(join(root, 'dist', handler, 'index.mjs'))).toBe(true);
      expect(existsSync(join(root, 'dist', handler, 'index.mjs.map'))).toBe(true);
      expect(existsSync(join(root, 'dist', `${handler}.zip`))).toBe(true);
    }
  });

  test.each(handlers)('dist/%s.zip holds the bundle and its licenses, not the source map', (handler) => {
    expect(zipEntries(join(root, 'dist', `${handler}.zip`))).toEqual(['index.mjs', 'THIRD-PARTY-LICENSES.txt']);
    const licenses = readFileSync(join(root, 'dist', handler, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    // Every package esbuild bundled is named with its version, and its license text follows.
    const meta = JSON.parse(readFileSync(join(root, 'dist', handler, 'meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const packages = new Set(
      Object.keys(meta.inputs)
        .map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1])
        .filter((p): p is string => p !== undefined),
    );
    expect(packages.size).toBeGreaterThan(10);
    for (const name of packages)
      expect(licenses).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@\\d`, 'm'));
    expect(licenses).toMatch(/Apache License/);
    expect(licenses).toMatch(/MIT License|Permission is hereby granted/);
  });

  test.each(handlers)('dist/%s/index.mjs imports in a fresh process and exports a handler function', (handler) => {
    const script = `import(${JSON.stringify(join(root, 'dist', handler, 'index.mjs'))}).then((m) => { process.stdout.write(typeof m.handler); })`;
    // An empty environment: importing must not need configuration (it is read on first invocation).
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: '/',
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(output).toBe('function');
  });

  test.each(handlers)(
    'importing dist/%s loads none of zlib, assert, fs/promises (scripts/build/builtins-by-require.mjs)',
    (handler) => {
      const script = `await import(${JSON.stringify(join(root, 'dist', handler, 'index.mjs'))});
      process.stdout.write(JSON.stringify(['zlib', 'assert', 'fs/promises'].filter((n) => process.moduleLoadList.includes('NativeModule ' + n))));`;
      const output = execFileSync('node', ['--input-type=module', '-e', script], {
        cwd: '/',
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
      expect(JSON.parse(output)).toEqual([]);
    },
  );

  test.each(handlers)(
    'dist/%s bundles only the environment link of the credential chain (what Lambda uses)',
    (handler) => {
      const meta = JSON.parse(readFileSync(join(root, 'dist', handler, 'meta.json'), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const inputs = Object.keys(meta.inputs);
      expect(inputs.some((i) => i.endsWith('scripts/build/lambda-credentials.mjs'))).toBe(true);
      expect(
        inputs.filter((i) =>
          /@aws-sdk\/(credential-provider-(node|ini|sso|web-identity|process)|nested-clients)\//.test(i),
        ),
      ).toEqual([]);
    },
  );

  test.each(handlers)("dist/%s leaves pino's worker-thread transports out", (handler) => {
    const meta = JSON.parse(readFileSync(join(root, 'dist', handler, 'meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    expect(inputs.some((i) => i.endsWith('scripts/build/no-thread-stream.cjs'))).toBe(true);
    expect(inputs.filter((i) => i.includes('node_modules/thread-stream/'))).toEqual([]);
  });

  test('a handler that asked pino for a transport would fail at once, saying why', () => {
    const ThreadStream = createRequire(__filename)('../../scripts/build/no-thread-stream.cjs');
    expect(() => new ThreadStream({})).toThrow(/pino transports are not bundled into the handlers/);
  });

  test.each(handlers)('dist/%s loads Node built-ins with require(), never through an ESM import', (handler) => {
    const code = readFileSync(join(root, 'dist', handler, 'index.mjs'), 'utf8');
    // The banner's own createRequire import is the one exception: it is what require() is made from.
    const esmImports = [...code.matchAll(/(?:from\s*|import\s*\(\s*)["']((?:node:)?[a-z0-9_/]+)["']/g)].map(
      (m) => m[1],
    );
    expect(esmImports).toEqual(['node:module']);
    // …and the module the SDK sends with is one of those required (minified: the name of require varies).
    expect(code).toMatch(/[\w$]+\("node:https"\)/);
  });

  test('the built debit handler reaches the DLQ path: its SQS client loads its built-ins and sends', () => {
    // An invalid event goes to the DLQ; the queue endpoint is a closed port, so the send itself must
    // fail with a network error (not a TypeError from a built-in the bundle failed to load).
    const script = `const m = await import(${JSON.stringify(join(root, 'dist', 'debit', 'index.mjs'))});
      const event = { version: '0', id: 'bundle-dlq', 'detail-type': 'video.rendered', source: 'video.generation', detail: { jobId: 'not a job id!' } };
      try { await m.handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 }); process.stdout.write('answered'); }
      catch (e) { process.stdout.write(e.name + ': ' + e.message); }`;
    const closed = 'http://127.0.0.1:9';
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: '/',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bundle-test',
        AWS_SECRET_ACCESS_KEY: 'bundle-test',
        AWS_MAX_ATTEMPTS: '1',
        AWS_ENDPOINT_URL_DYNAMODB: closed,
        AWS_ENDPOINT_URL_SQS: closed,
        JOBS_TABLE: 'j',
        CREDITS_TABLE: 'c',
        LEDGER_TABLE: 'l',
        SETTLEMENTS_TABLE: 's',
        DLQ_URL: `${closed}/123456789012/bundle-dlq`,
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
    });
    expect(output).toMatch(
      /^TransientError: could not send invalid event to the DLQ: connect ECONNREFUSED 127\.0\.0\.1:9/,
    );
  });

  test('the built debit handler answers its first event without loading another Node built-in', async () => {
    // Every built-in a cold start loads is compiled from source under Lambda's --expose-gc; the ones the
    // first event needs are loaded at import. A new one here (the SDK's collector reading the web
    // ReadableStream global was one: shared/aws/body-collector.ts) is a cold-start regression.
    const db = localDynamo();
    const tables = await freshTablesWithBalances(db, 'bundle-first', { 'bundle-user': 100 });
    try {
      const script = `const m = await import(${JSON.stringify(join(root, 'dist', 'debit', 'index.mjs'))});
        const before = process.moduleLoadList.length;
        const event = { version: '0', id: 'bundle-first-ev', 'detail-type': 'video.rendered', source: 'video.generation',
          account: '123456789012', time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [],
          detail: { jobId: 'bundle-first-job', userId: 'bundle-user', seconds: 6, model: 'gen-standard' } };
        const answer = await m.handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 });
        // http is loaded on first use of a plain-http endpoint, as here (in Lambda, https, it never is), and
        // fs.readFile's small read context by the SDK's one read of the shared config files.
        const expected = new Set(['NativeModule http', 'NativeModule internal/fs/read/context']);
        const loaded = process.moduleLoadList.slice(before).filter((name) => name.startsWith('NativeModule') && !expected.has(name));
        process.stdout.write(JSON.stringify({ outcome: answer.outcome, loaded }));`;
      const output = execFileSync('node', ['--expose-gc', '--input-type=module', '-e', script], {
        cwd: '/',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          // DynamoDB Local takes letters and digits only in a key.
          AWS_ACCESS_KEY_ID: 'bundletest',
          AWS_SECRET_ACCESS_KEY: 'bundletest',
          AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
          AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
          JOBS_TABLE: tables.jobs,
          CREDITS_TABLE: tables.credits,
          LEDGER_TABLE: tables.ledger,
          SETTLEMENTS_TABLE: tables.settlements,
          DLQ_URL: 'http://127.0.0.1:9/123456789012/bundle-dlq',
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      });
      expect(JSON.parse(output)).toEqual({ outcome: 'debited', loaded: [] });
    } finally {
      await dropTables(db, tables);
      db.destroy();
    }
  });

  test('a handler invoked without its configuration fails naming the missing variables', () => {
    const script = `const m = await import(${JSON.stringify(join(root, 'dist', 'debit', 'index.mjs'))});
      try { await m.handler({}, {}); } catch (e) { process.stdout.write(e.name + ': ' + e.message); }`;
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: '/',
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(output).toMatch(
      /ConfigError: debit: missing environment variable\(s\) JOBS_TABLE, CREDITS_TABLE, LEDGER_TABLE, SETTLEMENTS_TABLE, DLQ_URL/,
    );
  });

  test('the committed precompiled validator is up to date with the schema', () => {
    expect(() =>
      execFileSync('node', ['scripts/compile-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow();
  });
});
