/**
 * A simulated day of a video platform, seeded and reproducible: users with opening balances, jobs
 * with realistic fates, and the deliveries the event bus makes of them — duplicated, reordered,
 * delivered concurrently, lost, or failing beyond the retry policy. The demo and the chaos suite
 * both replay it; `expectedBalances` says what the books must show at the end.
 */
import { DEFAULT_PRICE_BOOK, priceOf } from '../shared/pricing';
import { seededRandom, type Random } from './random';

export type Fate = 'rendered' | 'failed' | 'rendered_then_failed' | 'stuck';

export interface SimJob {
  jobId: string;
  userId: string;
  model: string;
  seconds: number;
  quote?: number;
  fate: Fate;
  /** Terminal events of this job never reach the bus: only the sweep can settle it. */
  lost: boolean;
  /**
   * Rendered, then failed, and only the video.failed is lost: the pipeline marks the job failed late
   * (after a sweep saw the debit), so only the sweep's refund backstop can give the credits back.
   */
  refundLost?: boolean;
  /** The producer wrote reconciler-looking attributes on its job (to mint or to waive): they must change nothing. */
  forged?: 'mint' | 'waive';
  /**
   * A bug wrote this failed job a settlement the ledger never backed (DEBITED, charged, no debit
   * entry): the refund must be refused and reported, never paid.
   */
  corrupted?: boolean;
  /**
   * The producer reserves before it renders (holds): `credits` asked (usually the price, sometimes
   * more, rarely less), and whether its events carry the hold hint. A refused job is never started.
   */
  hold?: { credits: number; hinted: boolean };
}

export interface SimEnvelope {
  version: '0';
  id: string;
  'detail-type': 'video.rendered' | 'video.failed';
  source: 'video.generation';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface DayOptions {
  seed: number;
  users: number;
  jobs: number;
  duplicateRate: number;
  concurrentDuplicateRate: number;
  lostRate: number;
  stuckRate: number;
  failureRate: number;
  /** Deliveries whose handler keeps failing beyond the retry policy (→ DLQ, replayed later). */
  poisonRate: number;
  /** Size of the window within which deliveries are shuffled (reordering). */
  reorderWindow: number;
  /** Quotes of 0 credits (free jobs), among quoted jobs. */
  zeroQuoteRate: number;
  /** Rendered-then-failed jobs whose video.failed is lost (see SimJob.refundLost). */
  refundLostRate: number;
  /** Jobs on which the producer writes reconciler-looking attributes. */
  forgedRate: number;
  /** Failed jobs a bug gave an unbacked settlement (chaos only: it leaves their event in the DLQ). */
  corruptRate: number;
  /** Jobs whose producer reserves credits before rendering (holds). */
  holdRate: number;
  /** Users who start the day with very few credits (their reserves are refused). */
  poorUserRate: number;
}

export const DEFAULT_DAY: DayOptions = {
  seed: 42,
  users: 400,
  jobs: 3000,
  duplicateRate: 0.12,
  concurrentDuplicateRate: 0.04,
  lostRate: 0.03,
  stuckRate: 0.01,
  failureRate: 0.12,
  poisonRate: 0.01,
  reorderWindow: 50,
  zeroQuoteRate: 0.1,
  refundLostRate: 0.4,
  forgedRate: 0.01,
  corruptRate: 0,
  holdRate: 0.3,
  poorUserRate: 0.05,
};

/** How long the simulated producer asks its holds to live: the day's last sweep runs after it. */
export const SIM_HOLD_SECONDS = 600;

export const MODELS = ['gen-standard', 'gen-standard', 'gen-standard', 'gen-pro', 'gen-pro', 'gen-ultra', 'test'];
/** A model the price book does not know yet: its events go to the DLQ until the price is added. */
export const NEW_MODEL = 'gen-next';
export const NEW_MODEL_PRICE = { creditsPerSecond: 12, minimumCredits: 60 };

export interface Day {
  options: DayOptions;
  openings: Map<string, number>;
  jobs: SimJob[];
  /** Batches of deliveries; the envelopes of one batch are delivered concurrently. */
  batches: SimEnvelope[][];
  /** Event ids whose delivery fails beyond the retry policy (injected fault). */
  poisonEventIds: Set<string>;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function envelope(kind: 'rendered' | 'failed', job: SimJob, id: string, minute: number): SimEnvelope {
  const hint = job.hold?.hinted ? { hold: { credits: job.hold.credits } } : {};
  const at = new Date(Date.UTC(2026, 10, 23, 0, minute % 1440, 0));
  return {
    version: '0',
    id,
    'detail-type': kind === 'rendered' ? 'video.rendered' : 'video.failed',
    source: 'video.generation',
    account: '123456789012',
    time: at.toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: {
      jobId: job.jobId,
      userId: job.userId,
      seconds: job.seconds,
      model: job.model,
      ...(job.quote === undefined ? {} : { credits: job.quote }),
      ...(kind === 'failed' ? { reason: 'render worker lost the GPU' } : {}),
      ...hint,
    },
  };
}

/** The hazards beyond delivery faults: free jobs, lost refunds, forged producer attributes, a settlement bug. */
function markHazards(job: SimJob, options: DayOptions, random: Random): void {
  if (job.quote !== undefined && random.chance(options.zeroQuoteRate)) job.quote = 0;
  if (job.fate === 'rendered_then_failed' && !job.lost && random.chance(options.refundLostRate)) job.refundLost = true;
  if (random.chance(options.forgedRate)) job.forged = random.chance(0.5) ? 'mint' : 'waive';
  if (job.fate === 'failed' && !job.lost && random.chance(options.corruptRate)) job.corrupted = true;
}

/**
 * Which jobs reserve first, and for how much. Drawn from a random of its own, so the rest of a
 * seed's day is the same with or without holds. Free and unpriced jobs need no hold; a corrupted
 * job's planted settlement would overwrite its hold, so it has none.
 */
function markHold(job: SimJob, options: DayOptions, random: Random): void {
  if (!random.chance(options.holdRate) || job.corrupted || job.model === NEW_MODEL) return;
  const price = priceOf(DEFAULT_PRICE_BOOK, { model: job.model, seconds: job.seconds, quotedCredits: job.quote });
  if (price === 0) return;
  const roll = random.next();
  const credits = roll < 0.8 ? price : roll < 0.95 ? price + 10 : Math.max(1, price - 1);
  job.hold = { credits, hinted: random.chance(0.9) };
}

/** Some users start poor, so that some reserves are refused. */
function openingBalances(options: DayOptions, random: Random, holdRandom: Random): Map<string, number> {
  const openings = new Map<string, number>();
  for (let u = 0; u < options.users; u++) {
    const usual = 200 + random.int(4000);
    openings.set(`user-${pad(u, 5)}`, holdRandom.chance(options.poorUserRate) ? 10 + holdRandom.int(40) : usual);
  }
  return openings;
}

export function generateDay(partial: Partial<DayOptions> = {}): Day {
  const options = { ...DEFAULT_DAY, ...partial };
  const random = seededRandom(options.seed);
  const holdRandom = seededRandom(options.seed ^ 0x401d);
  const openings = openingBalances(options, random, holdRandom);
  const userIds = [...openings.keys()];

  const jobs: SimJob[] = [];
  const deliveries: SimEnvelope[][] = [];
  const poisonEventIds = new Set<string>();
  for (let j = 0; j < options.jobs; j++) {
    const roll = random.next();
    const fate: Fate =
      roll < options.stuckRate
        ? 'stuck'
        : roll < options.stuckRate + options.failureRate
          ? 'failed'
          : roll < options.stuckRate + options.failureRate + 0.02
            ? 'rendered_then_failed'
            : 'rendered';
    const model = j === 7 ? NEW_MODEL : random.pick(MODELS);
    const job: SimJob = {
      jobId: `job-${options.seed}-${pad(j, 6)}`,
      userId: random.pick(userIds),
      model,
      seconds: 2 + random.int(58),
      ...(random.chance(0.1) ? { quote: 5 + random.int(40) } : {}),
      fate,
      lost: fate !== 'stuck' && random.chance(options.lostRate),
    };
    if (job.model === NEW_MODEL) delete job.quote; // priced only once the new price is deployed
    markHazards(job, options, random);
    markHold(job, options, holdRandom);
    jobs.push(job);
    if (fate === 'stuck' || job.lost) continue;

    const kinds: ('rendered' | 'failed')[] =
      fate === 'rendered'
        ? ['rendered']
        : fate === 'failed' || job.corrupted
          ? ['failed']
          : job.refundLost
            ? ['rendered']
            : ['rendered', 'failed'];
    for (const kind of kinds) {
      const e = envelope(kind, job, `ev-${job.jobId}-${kind}`, j);
      if (random.chance(options.poisonRate)) poisonEventIds.add(e.id);
      if (random.chance(options.concurrentDuplicateRate)) {
        deliveries.push([e, e, e]); // the same event delivered three times at once
      } else {
        deliveries.push([e]);
        if (random.chance(options.duplicateRate)) deliveries.push([e]); // delivered again later
      }
    }
  }
  // Reordering: shuffle within sliding windows, so causally related events may swap.
  for (let start = 0; start < deliveries.length; start += options.reorderWindow) {
    const window = deliveries.slice(start, start + options.reorderWindow);
    random.shuffle(window);
    deliveries.splice(start, window.length, ...window);
  }
  return { options, openings, jobs, batches: deliveries, poisonEventIds };
}

/**
 * What every user's balance must be once everything is settled (the sweep settles lost events).
 * A job whose reserve was refused was never started: it costs nothing.
 */
export function expectedBalances(
  day: Day,
  refused: ReadonlySet<string> = new Set(),
  priceBook = { ...DEFAULT_PRICE_BOOK, [NEW_MODEL]: NEW_MODEL_PRICE },
): Map<string, number> {
  const balances = new Map(day.openings);
  for (const job of day.jobs) {
    if (job.fate !== 'rendered' || refused.has(job.jobId)) continue; // failed, refunded, stuck and refused jobs cost nothing
    const price = priceOf(priceBook, { model: job.model, seconds: job.seconds, quotedCredits: job.quote });
    balances.set(job.userId, (balances.get(job.userId) ?? 0) - price);
  }
  return balances;
}
