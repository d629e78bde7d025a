/**
 * A DynamoDB Local of a test's own, started through scripts/local/dynamodb-local.mjs in a child
 * Node (jest does not load that ES module in-process). The child stops the JVM on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface ChildDynamo {
  endpoint: string;
  stop: () => Promise<void>;
}

export async function startChildDynamoDbLocal(options: {
  sharedDb?: boolean;
  memoryMb?: number;
}): Promise<ChildDynamo> {
  const module = join(__dirname, '..', '..', 'scripts', 'local', 'dynamodb-local.mjs');
  const script = `const m = await import(${JSON.stringify(module)});
const s = await m.startDynamoDbLocal(${JSON.stringify(options)});
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
process.stdout.write(s.endpoint + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += String(chunk);
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`DynamoDB Local child exited (${code}) before it answered`)));
  });
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
