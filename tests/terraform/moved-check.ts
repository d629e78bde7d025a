/**
 * `moved` blocks, checked against the configuration they left: an address that is no longer declared
 * needs a block saying where it went (or Terraform plans to destroy it and create its successor), and
 * the block must be one Terraform accepts and that plans no change: its `to` is declared, its `from`
 * is not, and the instance at `to` has exactly the arguments the old address had (references to the
 * moved addresses read as their new ones). Like the other checkers it returns problems, so that
 * moved.unit.test.ts can expect none on terraform/ and exactly the planted ones on a broken fixture.
 */
import { isObject, resources, text, type Block, type Json, type TerraformConfig } from './hcl';
import { resourceInstances } from './instances';
import type { Problems } from './model';

export interface MovedBlock {
  dir: string;
  /** Addresses as written, e.g. `aws_cloudwatch_event_rule.video_rendered`. */
  from: string;
  to: string;
}

const address = (value: Json | undefined): string => text(value).replace(/^\$\{(.*)\}$/s, '$1');

export function movedBlocks(config: TerraformConfig): MovedBlock[] {
  return Object.values(config.modules).flatMap((mod) =>
    (Array.isArray(mod.json.moved) ? mod.json.moved : [])
      .filter(isObject)
      .map((m) => ({ dir: mod.dir, from: address(m.from), to: address(m.to) })),
  );
}

/** Instance address → body: for_each over a local map written out per key, every other resource as its label. */
function declared(config: TerraformConfig, dir: string): Map<string, Block> {
  return new Map(
    resourceInstances(config)
      .filter((r) => r.dir === dir)
      .map((r) => [`${r.type}.${r.name}`, r.body]),
  );
}

/** Whether `from` still names a resource: its own address, or the label of a resource with instances. */
function stillDeclared(config: TerraformConfig, dir: string, from: string): boolean {
  return (
    declared(config, dir).has(from) || resources(config).some((r) => r.dir === dir && `${r.type}.${r.name}` === from)
  );
}

/** References to moved addresses, in every string of a value, read as their new addresses. */
function followMoves(value: Json, moves: MovedBlock[]): Json {
  if (typeof value === 'string') {
    return moves.reduce(
      (s, m) => s.replace(new RegExp(`(?<![\\w.])${m.from.replace(/[.[\]"]/g, '\\$&')}(?=\\.)`, 'g'), m.to),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((v) => followMoves(v, moves));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, followMoves(v, moves)]));
  return value;
}

/** Layout is not meaning: the indentation around a line break inside an expression may differ. */
const layoutFree = (value: Json | undefined): string => JSON.stringify(value ?? null).replace(/(\\n)( |\\t)*/g, '$1');

function argumentChanges(before: Block, after: Block): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => layoutFree(before[n]) !== layoutFree(after[n]))
    .map(
      (n) =>
        `${n} ${before[n] === undefined ? 'unset' : layoutFree(before[n])} -> ${after[n] === undefined ? 'unset' : layoutFree(after[n])}`,
    );
}

export function checkMoved(before: TerraformConfig, after: TerraformConfig): Problems {
  const problems: Problems = [];
  const moves = movedBlocks(after);
  for (const m of moves) {
    const at = `${m.dir || '.'}: moved ${m.from} -> ${m.to}`;
    if (moves.filter((o) => o.dir === m.dir && o.from === m.from).length > 1)
      problems.push(`${at}: ${m.from} is moved more than once`);
    if (!declared(after, m.dir).has(m.to))
      problems.push(`${at}: ${m.to} is not declared (a for_each key that is not in its map?)`);
    if (stillDeclared(after, m.dir, m.from))
      problems.push(`${at}: ${m.from} is still declared, and Terraform refuses to move an address that exists`);
  }
  for (const dir of Object.keys(before.modules)) {
    const now = declared(after, dir);
    for (const [old, body] of declared(before, dir)) {
      if (stillDeclared(after, dir, old)) continue;
      const move = moves.find((m) => m.dir === dir && m.from === old);
      if (!move) {
        problems.push(
          `${dir || '.'}: ${old} is no longer declared and no moved block says where it went: the plan would destroy it`,
        );
        continue;
      }
      const successor = now.get(move.to);
      if (!successor) continue;
      for (const change of argumentChanges(followMoves(body, moves) as Block, successor))
        problems.push(`${dir || '.'}: moved ${old} -> ${move.to} would change ${change}`);
    }
  }
  return problems;
}
