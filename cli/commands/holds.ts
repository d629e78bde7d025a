/**
 * Holds by hand: `hold` reserves exactly as the reserve Lambda does (same core, same answers),
 * `holds` lists a user's active holds, `release` ends one without settling its job. For operators
 * and for producers trying the contract out; a producer's code invokes the reserve function.
 */
import { grouped } from '../../shared/text/numbers';
import { activeHoldsOf, endHold, reserveHold, type ReserveAnswer } from '../../shared/ledger/holds';
import { holdDefaultSecondsFrom } from '../../shared/lambda/reserve-deps';
import { printable } from '../../shared/text/printable';
import { parse, parseInteger, requireString } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';

const p = (value: unknown) => printable(String(value));

function describeAnswer(answer: ReserveAnswer): string {
  switch (answer.status) {
    case 'held':
      return `${answer.alreadyHeld ? 'already held' : 'held'}: ${grouped(answer.credits)} credits for job ${p(answer.jobId)} of ${p(answer.userId)} until ${answer.expiresAt}; ${grouped(answer.availableAfter)} available after (${p(answer.holdId)})`;
    case 'conflict':
      return `conflict: job ${p(answer.jobId)} already has a hold of ${grouped(answer.existing.credits)} credits for ${p(answer.existing.userId)}; nothing changed`;
    case 'refused':
      if (answer.reason === 'insufficient_credits')
        return `refused: ${p(answer.userId)} has ${grouped(answer.available)} credits available, ${grouped(answer.requested)} asked; nothing changed`;
      if (answer.reason === 'job_settled')
        return `refused: job ${p(answer.jobId)} is already settled (${answer.outcome}); nothing changed`;
      return `refused: the hold of job ${p(answer.jobId)} has ended (${answer.holdState}) and never comes back; nothing changed`;
  }
}

export const holdCommand: Command = {
  name: 'hold',
  summary: 'reserve credits for a job before its render (the reserve contract), idempotent by --job',
  usage: 'reconciler hold --user <id> --job <id> --credits <n> [--expires-in <seconds>]',
  options: [
    { flag: '--user', value: '<id>', description: 'the user whose credits to hold' },
    { flag: '--job', value: '<id>', description: 'the render job the hold is for (one hold per job)' },
    { flag: '--credits', value: '<n>', description: 'credits to reserve' },
    {
      flag: '--expires-in',
      value: '<seconds>',
      description: 'seconds until the hold expires unsettled',
      default: 'HOLD_DEFAULT_SECONDS or the reserve default',
    },
  ],
  example: 'reconciler hold --user user-42 --job job-7 --credits 30 --workspace dev',
  async run(args, context) {
    const { values } = parse(
      args,
      {
        user: { type: 'string' },
        job: { type: 'string' },
        credits: { type: 'string' },
        'expires-in': { type: 'string' },
      },
      false,
    );
    const answer = await reserveHold(
      context.ledger(),
      {
        userId: requireString(values.user, '--user'),
        jobId: requireString(values.job, '--job'),
        credits: parseInteger(values.credits, '--credits'),
        ...(values['expires-in'] === undefined
          ? {}
          : { expiresInSeconds: parseInteger(values['expires-in'], '--expires-in') }),
      },
      { defaultSeconds: holdDefaultSecondsFrom(process.env) },
    );
    context.out(describeAnswer(answer), answer);
    if (answer.status === 'held') return EXIT.ok;
    return answer.status === 'conflict' ? EXIT.conflict : EXIT.findings;
  },
};

export const holdsCommand: Command = {
  name: 'holds',
  summary: "list a user's active holds, soonest expiry first",
  usage: 'reconciler holds --user <id>',
  options: [{ flag: '--user', value: '<id>', description: 'the user whose active holds to list' }],
  example: 'reconciler holds --user user-42 --workspace dev',
  async run(args, context) {
    const { values } = parse(args, { user: { type: 'string' } }, false);
    const userId = requireString(values.user, '--user');
    const { holds, truncated } = await activeHoldsOf(context.ledger(), userId);
    const lines = holds.map(
      (h) =>
        `${p(h.jobId)}  ${grouped(h.credits).padStart(7)} credits  held ${h.heldAt}  expires ${h.expiresAt}${h.expired ? '  (expired: not held, the next sweep ends it)' : ''}`,
    );
    if (truncated) lines.push(`… more than ${holds.length} holds; only the first are listed`);
    context.out(lines.length > 0 ? lines.join('\n') : `${p(userId)}: no active holds`, { userId, holds, truncated });
    return EXIT.ok;
  },
};

export const releaseCommand: Command = {
  name: 'release',
  summary: "end a job's active hold without settling it: its credits are available again",
  usage: 'reconciler release --job <id>',
  options: [{ flag: '--job', value: '<id>', description: 'the job whose active hold to end' }],
  example: 'reconciler release --job job-7 --workspace dev',
  async run(args, context) {
    const { values } = parse(args, { job: { type: 'string' } }, false);
    const jobId = requireString(values.job, '--job');
    const result = await endHold(context.ledger(), jobId, 'RELEASED');
    if (result.status === 'ended') {
      context.out(`released: ${result.credits} credits of job ${p(jobId)} are available again`, { jobId, ...result });
      return EXIT.ok;
    }
    const why = result.settled
      ? 'the job is settled'
      : result.hold
        ? `its hold is ${result.hold.state}`
        : 'the job has no hold';
    context.out(`nothing to release for job ${p(jobId)}: ${why}; nothing changed`, { jobId, ...result });
    return EXIT.findings;
  },
};
