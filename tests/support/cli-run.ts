/**
 * The operator CLI run in process, as an operator runs it (`main(argv)` → exit code), with what it
 * prints captured: one home for the capture that every CLI test uses.
 */
import { main } from '../../cli/main';
import type { TableNames } from '../../shared/tables';
import { dynamoEndpoint } from './local-aws';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Installs the stdout/stderr capture around every test of the calling file (call it at the top of
 * the file, before its own hooks) and returns `run(...argv)`. `argsAfter` is appended to every run.
 */
export function capturedCli(argsAfter: string[] = []): (...args: string[]) => Promise<CliRun> {
  let stdout: string[] = [];
  let stderr: string[] = [];
  beforeEach(() => {
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());
  return async (...args) => {
    stdout = [];
    stderr = [];
    const code = await main([...args, ...argsAfter]);
    return { code, out: stdout.join(''), err: stderr.join('') };
  };
}

/** Points the CLI's environment at these tables on the suite's DynamoDB Local. */
export function pointCliAt(tables: TableNames): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
  });
}
