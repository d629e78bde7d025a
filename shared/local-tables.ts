/** Creates (or recreates) the three tables from TABLE_DEFINITIONS on a local endpoint. */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITIONS, type TableNames } from './tables';

export type CreateResult = Record<keyof TableNames, 'created' | 'exists'>;

export async function createTables(client: DynamoDBClient, names: TableNames): Promise<CreateResult> {
  const result = {} as CreateResult;
  for (const key of Object.keys(names) as (keyof TableNames)[]) {
    try {
      await client.send(new CreateTableCommand({ TableName: names[key], ...TABLE_DEFINITIONS[key] }));
      result[key] = 'created';
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      result[key] = 'exists';
    }
  }
  return result;
}

export async function deleteTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const name of Object.values(names)) {
    try {
      await client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
}

export async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}
