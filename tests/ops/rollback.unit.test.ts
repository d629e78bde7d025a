/**
 * Rollback / roll-forward of the alias `live`, against the SDK-level Lambda fake (no emulator):
 * plan, dry run, apply, idempotency, refusal without a previous version, functions the last
 * deploy did not change, and a concurrent alias change.
 */
import { runAliasCommand } from '../../cli/commands/rollback';
import { createContext, EXIT } from '../../cli/context';
import { HANDLERS } from '../../shared/config';
import { workspaceNames } from '../../shared/naming';
import { applyAliasMoves, parseLambdaTime, planAliasMoves } from '../../ops/rollback';
import { fakeLambda, healthyLambdaWorld, lambdaTime, type LambdaWorld } from '../support/ops-fakes';

const names = workspaceNames('staging');
const DEPLOYED_AT = new Date('2026-01-10T10:00:00Z');
let world: LambdaWorld;

beforeEach(() => {
  world = healthyLambdaWorld(names, {
    dlqUrl: 'https://sqs/1/cc-reconciler-dlq-staging',
    topicArn: 'arn:aws:sns:eu-west-1:1:ops-alerts-staging',
    versions: 3,
    publishedAt: DEPLOYED_AT,
  });
});

const live = () => Object.fromEntries(HANDLERS.map((h) => [h, world.functions.get(names.functions[h])!.live]));

async function cli(mode: 'rollback' | 'deploy', args: string[] = []): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await runAliasCommand(mode, args, createContext({ json: false, workspace: 'staging' }), {
      lambda: fakeLambda(world),
    });
    return { code, text: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

test('rollback moves every live alias to the previous version and says old → new; deploy moves it forward', async () => {
  const back = await cli('rollback');
  expect(back.code).toBe(EXIT.ok);
  expect(live()).toEqual({ debit: '2', refund: '2', sweep: '2', 'replay-dlq': '2', reserve: '2' });
  expect(back.text).toMatch(
    /debit +cc-agent-reconciler-debit-staging:live +moved +3 → 2 +previous published version \(newest is 3\)/,
  );
  expect(back.text).toMatch(/5 aliases moved. Next: make doctor WS=staging && make smoke WS=staging/);

  const forward = await cli('deploy');
  expect(forward.code).toBe(EXIT.ok);
  expect(live()).toEqual({ debit: '3', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
  expect(forward.text).toMatch(
    /refund +cc-agent-reconciler-refund-staging:live +moved +2 → 3 +newest published version/,
  );
});

test('both are idempotent: a second run changes nothing', async () => {
  await cli('rollback');
  const again = await cli('rollback');
  expect(again.code).toBe(EXIT.ok);
  expect(live()).toEqual({ debit: '2', refund: '2', sweep: '2', 'replay-dlq': '2', reserve: '2' });
  expect(again.text).toMatch(/debit .* unchanged +2 +already rolled back to 2 \(newest is 3\)/);
  expect(again.text).toMatch(/nothing to do \(already there\)/);
  await cli('deploy');
  const deployAgain = await cli('deploy');
  expect(deployAgain.text).toMatch(/sweep .* unchanged +3 +already on the newest version 3/);
  expect(live()).toEqual({ debit: '3', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
});

test('--dry-run shows the plan and changes nothing', async () => {
  const { code, text } = await cli('rollback', ['--dry-run']);
  expect(code).toBe(EXIT.ok);
  expect(text).toMatch(/rollback of staging, dry run: nothing changed/);
  expect(text).toMatch(/debit .* would move +3 → 2/);
  expect(live()).toEqual({ debit: '3', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
});

test('refuses, changing nothing, when a function has no previous version', async () => {
  const debit = world.functions.get(names.functions.debit)!;
  debit.versions = [{ version: 1, lastModified: lambdaTime(DEPLOYED_AT) }];
  debit.live = '1';
  const { code, text } = await cli('rollback');
  expect(code).toBe(EXIT.findings);
  expect(text).toMatch(/rollback of staging REFUSED \(debit\): nothing changed/);
  expect(text).toMatch(/debit .* refused +1 +no version before 1 to roll back to/);
  expect(live()).toEqual({ debit: '1', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
});

test('a missing function is a refusal with a reason, not a crash', async () => {
  world.functions.delete(names.functions['replay-dlq']);
  const { code, text } = await cli('deploy');
  expect(code).toBe(EXIT.findings);
  expect(text).toMatch(
    /replay-dlq .* refused +- +cc-agent-reconciler-replay-dlq-staging or its alias live does not exist/,
  );
});

test('only the functions the last deploy changed roll back; --function picks one explicitly', async () => {
  // The last deploy (at DEPLOYED_AT) published debit v4 only; the others' newest versions are a day older.
  const debit = world.functions.get(names.functions.debit)!;
  for (const [h, fn] of world.functions)
    if (h !== names.functions.debit)
      fn.versions = fn.versions.map((v) => ({
        ...v,
        lastModified: lambdaTime(new Date(parseLambdaTime(v.lastModified) - 86_400_000)),
      }));
  debit.versions.push({ version: 4, lastModified: lambdaTime(new Date(DEPLOYED_AT.getTime() + 60_000)) });
  debit.live = '4';
  const { text } = await cli('rollback');
  expect(live()).toEqual({ debit: '3', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
  expect(text).toMatch(/refund .* skipped +3 +not changed by the last deploy/);

  const explicit = await cli('rollback', ['--function', 'refund']);
  expect(explicit.code).toBe(EXIT.ok);
  expect(live()).toEqual({ debit: '3', refund: '2', sweep: '3', 'replay-dlq': '3', reserve: '3' });
  const forward = await cli('deploy', ['--function', 'refund', '--function', 'debit']);
  expect(forward.code).toBe(EXIT.ok);
  expect(live()).toEqual({ debit: '4', refund: '3', sweep: '3', 'replay-dlq': '3', reserve: '3' });
});

test('an alias moved by hand to another version is left alone', async () => {
  world.functions.get(names.functions.sweep)!.live = '1';
  const { text } = await cli('rollback');
  expect(text).toMatch(/sweep .* skipped +1 +live is on 1, neither the newest \(3\) nor the previous \(2\) version/);
  expect(live().sweep).toBe('1');
});

test('a concurrent change of the alias (a Terraform apply) fails that move instead of overwriting it', async () => {
  const lambda = fakeLambda(world);
  const deps = { lambda, names };
  const plan = await planAliasMoves(deps, 'rollback');
  world.beforeUpdate = (name) => {
    if (name === names.functions.refund) world.functions.get(name)!.revision += 1;
  };
  const results = await applyAliasMoves(deps, plan);
  expect(results.find((r) => r.handler === 'refund')).toMatchObject({
    outcome: 'failed',
    reason: expect.stringMatching(/alias changed since the plan/),
  });
  expect(results.filter((r) => r.outcome === 'moved')).toHaveLength(4);
  expect(live().refund).toBe('3');
});

test('a failed move exits 1; bad flags are usage errors', async () => {
  world.beforeUpdate = (name) => {
    if (name === names.functions.sweep) world.functions.get(name)!.revision += 1;
  };
  const { code, text } = await cli('rollback');
  expect(code).toBe(EXIT.findings);
  expect(text).toMatch(/4 moved, 1 FAILED/);
  await expect(cli('rollback', ['--function', 'billing'])).rejects.toThrow(/--function must be one of/);
  await expect(cli('deploy', ['--deploy-window-minutes', '5'])).rejects.toThrow(/rollback only/);
  await expect(
    runAliasCommand('rollback', [], createContext({ json: true }), { lambda: fakeLambda(world), env: {} }),
  ).rejects.toThrow(/which workspace/);
});

test('versions are read across pages (Lambda returns at most 50 per page)', async () => {
  const refund = world.functions.get(names.functions.refund)!;
  refund.versions = Array.from({ length: 120 }, (_, i) => ({
    version: i + 1,
    lastModified: lambdaTime(new Date(DEPLOYED_AT.getTime() - (119 - i) * 3_600_000)),
  }));
  refund.live = '120';
  await cli('rollback', ['--function', 'refund']);
  expect(live().refund).toBe('119');
  const lambda = fakeLambda(world);
  const plan = await planAliasMoves({ lambda, names }, 'deploy');
  expect(plan.moves.find((m) => m.handler === 'refund')).toMatchObject({
    from: '119',
    to: '120',
    action: 'move',
    latest: 120,
  });
  expect(parseLambdaTime('2026-01-10T10:00:00.000+0000')).toBe(DEPLOYED_AT.getTime());
  expect(parseLambdaTime(undefined)).toBe(0);
});
