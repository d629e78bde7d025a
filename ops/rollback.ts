/**
 * Rollback and roll-forward without Terraform: every apply publishes an immutable Lambda version
 * and moves the alias `live` (what EventBridge, the schedule and the DLQ mapping invoke) to it.
 *
 *   rollback: `live` → the version published before the newest one, for the functions the last
 *             deploy changed (their newest version was published within `deployWindowMs` of the
 *             newest version of any function; the others were not part of that deploy and stay).
 *   deploy:   `live` → the newest published version, for every function.
 *
 * Both are idempotent (targets depend on the published versions, not on where `live` is now), plan
 * first and change nothing when any selected function cannot be moved (no previous version), and
 * pass the alias's RevisionId so that a concurrent change (a Terraform apply) fails instead of
 * being overwritten. No console I/O: cli/commands/rollback.ts prints.
 */
import {
  GetAliasCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { HANDLERS, type HandlerName } from '../shared/config';
import { LIVE_ALIAS, type WorkspaceNames } from '../shared/naming';

export type AliasMode = 'rollback' | 'deploy';

export interface PublishedVersion {
  version: number;
  /** When the version was published (Lambda's LastModified of that version), ms since epoch. */
  publishedAtMs: number;
}

export interface AliasMove {
  handler: HandlerName;
  functionName: string;
  /** Version `live` points at now. */
  from: string;
  /** Version it should point at (same as `from` when nothing is to be done). */
  to: string;
  action: 'move' | 'unchanged' | 'skipped' | 'refused';
  reason: string;
  /** Alias revision read while planning; UpdateAlias fails if someone moved the alias since. */
  revisionId?: string;
  latest?: number;
}

export interface AliasPlan {
  mode: AliasMode;
  workspace: string;
  /** True when at least one selected function cannot be moved: nothing is applied. */
  refused: boolean;
  moves: AliasMove[];
}

export interface AliasResult extends AliasMove {
  /** After apply: 'moved', or 'failed' with the error in reason. */
  outcome: 'moved' | 'unchanged' | 'skipped' | 'failed';
}

export interface AliasDeps {
  lambda: LambdaClient;
  names: WorkspaceNames;
}

/** A Terraform apply publishes its versions within minutes; anything older belongs to an earlier deploy. */
export const DEFAULT_DEPLOY_WINDOW_MS = 30 * 60_000;
const MAX_VERSION_PAGES = 200;
const PAGE_SIZE = 50;

/** Lambda's LastModified, e.g. 2026-01-31T10:00:00.000+0000 (not quite ISO-8601). */
export function parseLambdaTime(text: string | undefined): number {
  if (!text) return 0;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? 0 : ms;
}

export async function listPublishedVersions(lambda: LambdaClient, functionName: string): Promise<PublishedVersion[]> {
  const versions: PublishedVersion[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_VERSION_PAGES; page++) {
    const out = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker, MaxItems: PAGE_SIZE }),
    );
    for (const v of out.Versions ?? []) {
      if (v.Version && /^\d+$/.test(v.Version))
        versions.push({ version: Number(v.Version), publishedAtMs: parseLambdaTime(v.LastModified) });
    }
    marker = out.NextMarker;
    if (!marker) break;
  }
  return versions.sort((a, b) => a.version - b.version);
}

interface FunctionState {
  handler: HandlerName;
  functionName: string;
  versions: PublishedVersion[];
  live: string;
  revisionId?: string;
  missing?: string;
}

/** A function's published versions and where `live` points; a missing function is a reason, not a crash. */
async function functionState(deps: AliasDeps, handler: HandlerName): Promise<FunctionState> {
  const functionName = deps.names.functions[handler];
  try {
    const [versions, alias] = await Promise.all([
      listPublishedVersions(deps.lambda, functionName),
      deps.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS })),
    ]);
    return { handler, functionName, versions, live: alias.FunctionVersion ?? '?', revisionId: alias.RevisionId };
  } catch (error) {
    // A missing function or alias is a refusal with a reason, not a crash (and not "a table does not exist").
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    return {
      handler,
      functionName,
      versions: [],
      live: '-',
      missing: `${functionName} or its alias ${LIVE_ALIAS} does not exist in this account/region`,
    };
  }
}

type WithLatest = Omit<AliasMove, 'to' | 'action' | 'reason'> & { latest: number };

/** Roll back: to the version before the newest, only for functions the last deploy changed (unless named). */
function rollbackMove(
  s: FunctionState,
  withLatest: WithLatest,
  latest: PublishedVersion,
  skipAsUnchanged: boolean,
): AliasMove {
  if (skipAsUnchanged) {
    return {
      ...withLatest,
      to: s.live,
      action: 'skipped',
      reason: `not changed by the last deploy (its newest version ${latest.version} is older); pass --function ${s.handler} to roll it back anyway`,
    };
  }
  const previous = s.versions.at(-2);
  if (!previous)
    return {
      ...withLatest,
      to: s.live,
      action: 'refused',
      reason: `no version before ${latest.version} to roll back to`,
    };
  const to = String(previous.version);
  if (s.live === to)
    return {
      ...withLatest,
      to,
      action: 'unchanged',
      reason: `already rolled back to ${to} (newest is ${latest.version})`,
    };
  if (s.live !== String(latest.version)) {
    return {
      ...withLatest,
      to: s.live,
      action: 'skipped',
      reason: `live is on ${s.live}, neither the newest (${latest.version}) nor the previous (${to}) version: moved by hand? left alone`,
    };
  }
  return { ...withLatest, to, action: 'move', reason: `previous published version (newest is ${latest.version})` };
}

function moveFor(s: FunctionState, mode: AliasMode, skipAsUnchanged: (latest: PublishedVersion) => boolean): AliasMove {
  const base = { handler: s.handler, functionName: s.functionName, from: s.live, revisionId: s.revisionId };
  if (s.missing) return { ...base, to: s.live, action: 'refused', reason: s.missing };
  const latest = s.versions.at(-1);
  if (!latest)
    return {
      ...base,
      to: s.live,
      action: 'refused',
      reason: 'no published version (was it ever deployed with make apply?)',
    };
  const withLatest = { ...base, latest: latest.version };
  if (mode === 'deploy') {
    const to = String(latest.version);
    return s.live === to
      ? { ...withLatest, to, action: 'unchanged', reason: `already on the newest version ${to}` }
      : { ...withLatest, to, action: 'move', reason: `newest published version` };
  }
  return rollbackMove(s, withLatest, latest, skipAsUnchanged(latest));
}

export async function planAliasMoves(
  deps: AliasDeps,
  mode: AliasMode,
  options: { handlers?: readonly HandlerName[]; deployWindowMs?: number } = {},
): Promise<AliasPlan> {
  const explicit = options.handlers !== undefined && options.handlers.length > 0;
  const handlers = explicit ? options.handlers! : HANDLERS;
  const window = options.deployWindowMs ?? DEFAULT_DEPLOY_WINDOW_MS;
  const states = await Promise.all(handlers.map((handler) => functionState(deps, handler)));
  const lastDeployAtMs = Math.max(0, ...states.map((s) => s.versions.at(-1)?.publishedAtMs ?? 0));
  const moves = states.map((s) =>
    moveFor(s, mode, (latest) => !explicit && latest.publishedAtMs < lastDeployAtMs - window),
  );
  return { mode, workspace: deps.names.workspace, refused: moves.some((m) => m.action === 'refused'), moves };
}

/** Applies a plan (nothing when it was refused). Every move is attempted; failures are reported, not thrown. */
export async function applyAliasMoves(deps: AliasDeps, plan: AliasPlan): Promise<AliasResult[]> {
  const results: AliasResult[] = [];
  for (const move of plan.moves) {
    if (plan.refused || move.action !== 'move') {
      results.push({ ...move, outcome: move.action === 'unchanged' ? 'unchanged' : 'skipped' });
      continue;
    }
    try {
      const out = await deps.lambda.send(
        new UpdateAliasCommand({
          FunctionName: move.functionName,
          Name: LIVE_ALIAS,
          FunctionVersion: move.to,
          RevisionId: move.revisionId,
        }),
      );
      if (out.FunctionVersion !== move.to)
        throw new Error(`UpdateAlias answered version ${out.FunctionVersion ?? 'none'}`);
      results.push({ ...move, outcome: 'moved' });
    } catch (error) {
      const e = error as Error;
      const why =
        e.name === 'PreconditionFailedException'
          ? 'the alias changed since the plan (a Terraform apply or another operator?); run again'
          : `${e.name}: ${e.message}`;
      results.push({ ...move, outcome: 'failed', reason: why });
    }
  }
  return results;
}
