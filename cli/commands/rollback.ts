/**
 * `reconciler rollback` / `reconciler deploy` (and `make rollback|deploy WS=<ws>`): move the alias
 * `live` of each function back to the previous published version, or forward to the newest one,
 * in seconds and without a Terraform run. Plans first, prints old → new, --dry-run changes nothing.
 * How this meets Terraform state: docs/operations/rollback.md#rollback-and-terraform-state.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { HANDLERS, type HandlerName } from '../../shared/config';
import { UsageError } from '../../shared/errors';
import { makeLambdaClient } from '../../ops/clients';
import { LIVE_ALIAS, workspaceNames } from '../../shared/naming';
import { printable } from '../../shared/text/printable';
import {
  DEFAULT_DEPLOY_WINDOW_MS,
  applyAliasMoves,
  planAliasMoves,
  type AliasMode,
  type AliasMove,
  type AliasResult,
} from '../../ops/rollback';
import { parse, parseInteger } from '../args';
import { EXIT, type CliContext } from '../context';
import type { Command, OptionHelp } from './types';

export interface RollbackIo {
  lambda?: LambdaClient;
  env?: Record<string, string | undefined>;
}

const usage = (mode: AliasMode) =>
  `reconciler ${mode} --workspace <ws> [--dry-run] [--function <${HANDLERS.join('|')}>]…${mode === 'rollback' ? ' [--deploy-window-minutes 30]' : ''}`;

function line(m: AliasMove | AliasResult, dryRun: boolean): string {
  const outcome = 'outcome' in m ? m.outcome : undefined;
  const arrow = m.action === 'move' ? `${printable(m.from)} → ${printable(m.to)}` : printable(m.from);
  const word =
    outcome === 'failed'
      ? 'FAILED'
      : outcome === 'moved'
        ? 'moved'
        : m.action === 'move'
          ? dryRun
            ? 'would move'
            : 'move'
          : m.action;
  return `  ${m.handler.padEnd(10)} ${printable(m.functionName)}:${LIVE_ALIAS}  ${word.padEnd(10)} ${arrow.padEnd(10)} ${printable(m.reason)}`;
}

/** The command's flags and workspace, checked: which functions, the deploy window, dry run. */
function aliasSettings(mode: AliasMode, args: string[], context: CliContext, env: Record<string, string | undefined>) {
  const { values } = parse(
    args,
    {
      'dry-run': { type: 'boolean' },
      function: { type: 'string', multiple: true },
      'deploy-window-minutes': { type: 'string' },
    },
    false,
  );
  const workspace = context.options.workspace ?? env.WORKSPACE;
  if (!workspace) throw new UsageError(`which workspace? pass --workspace <ws>; usage: ${usage(mode)}`);
  const functions = Array.isArray(values.function) ? values.function.map(String) : [];
  const handlers = functions.map((f) => {
    if (!(HANDLERS as readonly string[]).includes(f))
      throw new UsageError(`--function must be one of ${HANDLERS.join(', ')}, got "${f}"`);
    return f as HandlerName;
  });
  if (mode === 'deploy' && values['deploy-window-minutes'] !== undefined)
    throw new UsageError('--deploy-window-minutes applies to rollback only');
  const deployWindowMs =
    values['deploy-window-minutes'] === undefined
      ? DEFAULT_DEPLOY_WINDOW_MS
      : parseInteger(values['deploy-window-minutes'], '--deploy-window-minutes', { min: 1, max: 7 * 24 * 60 }) * 60_000;
  try {
    return {
      workspace,
      names: workspaceNames(workspace),
      handlers,
      deployWindowMs,
      dryRun: values['dry-run'] === true,
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function appliedSummary(verb: string, workspace: string, results: AliasResult[]): string {
  const moved = results.filter((r) => r.outcome === 'moved').length;
  const failed = results.filter((r) => r.outcome === 'failed').length;
  if (failed > 0)
    return `${verb} of ${workspace}: ${moved} moved, ${failed} FAILED (see above); run make doctor WS=${workspace}`;
  return moved === 0
    ? `${verb} of ${workspace}: nothing to do (already there)`
    : `${verb} of ${workspace}: ${moved} alias${moved === 1 ? '' : 'es'} moved. Next: make doctor WS=${workspace} && make smoke WS=${workspace}`;
}

export async function runAliasCommand(
  mode: AliasMode,
  args: string[],
  context: CliContext,
  io: RollbackIo = {},
): Promise<number> {
  const { workspace, names, handlers, deployWindowMs, dryRun } = aliasSettings(
    mode,
    args,
    context,
    io.env ?? process.env,
  );
  const deps = { lambda: io.lambda ?? makeLambdaClient({ region: context.options.region }), names };
  const plan = await planAliasMoves(deps, mode, { handlers, deployWindowMs });
  const verb = mode === 'rollback' ? 'rollback' : 'deploy (roll forward)';
  if (plan.refused) {
    const refused = plan.moves
      .filter((m) => m.action === 'refused')
      .map((m) => m.handler)
      .join(', ');
    context.out(
      [`${verb} of ${workspace} REFUSED (${refused}): nothing changed`, ...plan.moves.map((m) => line(m, true))].join(
        '\n',
      ),
      { ...plan, dryRun, applied: false },
    );
    return EXIT.findings;
  }
  if (dryRun) {
    context.out(
      [`${verb} of ${workspace}, dry run: nothing changed`, ...plan.moves.map((m) => line(m, true))].join('\n'),
      { ...plan, dryRun, applied: false },
    );
    return EXIT.ok;
  }
  const results = await applyAliasMoves(deps, plan);
  context.out(
    [`${verb} of ${workspace}`, ...results.map((r) => line(r, false)), appliedSummary(verb, workspace, results)].join(
      '\n',
    ),
    { ...plan, dryRun, applied: true, results },
  );
  return results.some((r) => r.outcome === 'failed') ? EXIT.findings : EXIT.ok;
}

function aliasOptions(mode: AliasMode): OptionHelp[] {
  return [
    { flag: '--dry-run', description: 'show the moves, change nothing', default: 'move' },
    {
      flag: '--function',
      value: `<${HANDLERS.join('|')}>`,
      description: 'only this function; repeatable',
      default: 'all',
    },
    ...(mode === 'rollback'
      ? [
          {
            flag: '--deploy-window-minutes',
            value: '<m>',
            description: 'only versions published this recently count as the bad deploy',
            default: String(DEFAULT_DEPLOY_WINDOW_MS / 60_000),
          },
        ]
      : []),
  ];
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary:
    "point each function's alias live back to its previous published version (no Terraform run); --dry-run first",
  usage: usage('rollback'),
  options: aliasOptions('rollback'),
  example: 'reconciler rollback --workspace staging --dry-run',
  run: (args, context) => runAliasCommand('rollback', args, context),
};

export const deployCommand: Command = {
  name: 'deploy',
  summary:
    "point each function's alias live at its newest published version (roll forward after a rollback; no Terraform run)",
  usage: usage('deploy'),
  options: aliasOptions('deploy'),
  example: 'reconciler deploy --workspace staging --dry-run',
  run: (args, context) => runAliasCommand('deploy', args, context),
};
