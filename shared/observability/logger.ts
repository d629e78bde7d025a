/** Structured JSON logs (pino): one line per event, with the fields an on-call engineer filters on. */
import pino, { type Logger } from 'pino';
import { invocationLogFields } from './invocation-context';

export type { Logger };

export function createLogger(options: {
  level?: string;
  workspace?: string;
  component: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'credit-reconciler', component: options.component, workspace: options.workspace ?? 'local' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // awsRequestId and coldStart on every line written during an invocation (invocation-context.ts).
      mixin: invocationLogFields,
    },
    options.destination,
  );
}
