/** Argument parsing on node:util parseArgs, with errors that say what was wrong. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../shared/errors';

/** The arguments do not parse (an unknown option, a missing value): answered with the command's usage. */
export class ArgumentError extends UsageError {}

export function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }
}

export function requireString(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`missing ${flag}`);
  return value;
}

export function parseInteger(
  value: unknown,
  flag: string,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const text = requireString(value, flag);
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number of credits, got "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be between ${min} and ${max}, got ${text}`);
  return n;
}
