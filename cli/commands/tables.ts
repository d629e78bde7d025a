import { createTables } from '../../local/tables';
import { isLoopbackEndpoint } from '../../shared/aws/clients';
import { UsageError } from '../../shared/errors';
import { printable } from '../../shared/text/printable';
import { EXIT } from '../context';
import type { Command } from './types';

export const tablesCommand: Command = {
  name: 'tables',
  summary: 'create the three tables on a local endpoint (DynamoDB Local)',
  usage: 'reconciler tables create [--workspace local]',
  options: [],
  example: 'AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 reconciler tables create --workspace local',
  async run(args, context) {
    if (args[0] !== 'create') throw new UsageError(`usage: ${this.usage}`);
    const endpoint = context.options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL;
    if (!isLoopbackEndpoint(endpoint)) {
      throw new UsageError(
        'tables create is for local endpoints only (set AWS_ENDPOINT_URL_DYNAMODB or --endpoint to a loopback address); deployed tables come from Terraform',
      );
    }
    const result = await createTables(context.ledger().dynamodb, context.tables);
    context.out(
      Object.entries(result)
        .map(([key, status]) => `${printable(context.tables[key as keyof typeof result])}: ${printable(status)}`)
        .join('\n'),
      { tables: context.tables, result },
    );
    return EXIT.ok;
  },
};
