import { settleEvent } from '../shared/ledger/settle';
import { freshTables, localDynamo } from './support/local-aws';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
test('x', async () => {
  const db = localDynamo(); const tables = await freshTables(db);
  const ev = { eventId: 'e1', kind: 'rendered' as const, jobId: 'j1', userId: 'u1', seconds: 5, model: 'test' };
  console.log(await settleEvent({ dynamodb: db, tables }, ev, 3));
  console.log(await settleEvent({ dynamodb: db, tables }, ev, 3));
  console.log(await settleEvent({ dynamodb: db, tables }, { ...ev, eventId: 'e2', kind: 'failed' }, 3));
  console.log(await settleEvent({ dynamodb: db, tables }, { ...ev, eventId: 'e3', kind: 'failed', jobId: 'j2' }, 3));
  console.log(await settleEvent({ dynamodb: db, tables }, { ...ev, eventId: 'e4', jobId: 'j2' }, 3));
  console.log(JSON.stringify((await db.send(new ScanCommand({TableName: tables.credits}))).Items));
});
