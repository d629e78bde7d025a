/**
 * `make local` (npx tsx scripts/local/run-local.ts [--fresh] [--base-port 8000] [--sweep-every 60]
 * [--data-dir .local]): starts the persistent local stack (local/persistent-stack.ts), prints the
 * `export` lines, and stays up until Ctrl-C or SIGTERM; then stops everything it started, exit 0.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_SWEEP_SECONDS,
  portsFrom,
  startPersistentStack,
} from '../../local/persistent-stack';

const USAGE =
  'usage: make local [FRESH=1] [BASE_PORT=8000] [SWEEP_EVERY=60]  (script: scripts/local/run-local.ts --fresh --base-port N --sweep-every S --data-dir DIR)';

function settings() {
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean' },
      'base-port': { type: 'string' },
      'sweep-every': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (text: string | undefined, fallback: number, name: string, min: number, max: number) => {
    const n = text === undefined || text === '' ? fallback : Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer from ${min} to ${max}, not ${text}\n${USAGE}`);
    return n;
  };
  return {
    fresh: values.fresh === true,
    ports: portsFrom(int(values['base-port'], DEFAULT_BASE_PORT, '--base-port', 1024, 65_532)),
    sweepEverySeconds: int(values['sweep-every'], DEFAULT_SWEEP_SECONDS, '--sweep-every', 5, 3_600),
    dataDir: resolve(values['data-dir'] ?? '.local'),
  };
}

async function main(): Promise<void> {
  const options = settings();
  const say = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const local = await startPersistentStack({ ...options, say });
  process.stdout.write(
    [
      `# credit-reconciler local stack is up (workspace ${local.stack.workspace}; books in ${options.dataDir}/dynamodb${options.fresh ? ', started fresh' : ''})`,
      `# handler logs: ${local.logFile}; the sweep runs every ${options.sweepEverySeconds} s`,
      '# paste these into the shell of your producer code, the AWS CLI or `npx reconciler`:',
      ...local.exports,
      '# Ctrl-C stops everything this started.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the local stack`);
    local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`make local: ${(error as Error).message}\n`);
  process.exit(1);
});
