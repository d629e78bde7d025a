/**
 * The price of a rendered job, in integer credits (docs/design.md#2-money-rules).
 * A producer's quote (`detail.credits`) wins; otherwise the model's entry in the price book:
 *   price = max(minimumCredits, ceil(seconds) * creditsPerSecond)
 * An unknown model without a quote is a bad event, never a guess.
 */
import { InvalidEventError } from './errors';

export interface ModelPrice {
  /** Credits charged per started second of output video. */
  creditsPerSecond: number;
  /** Floor for short jobs. */
  minimumCredits: number;
}

export type PriceBook = Readonly<Record<string, ModelPrice>>;

/**
 * The default price book. `test` prices the operators' manual test event (5 s, no quote; `make smoke` sends it) at
 * exactly 1 credit, which is what the smoke test relies on (100 → 99).
 */
export const DEFAULT_PRICE_BOOK: PriceBook = Object.freeze({
  test: { creditsPerSecond: 0, minimumCredits: 1 },
  'gen-standard': { creditsPerSecond: 1, minimumCredits: 5 },
  'gen-pro': { creditsPerSecond: 3, minimumCredits: 10 },
  'gen-ultra': { creditsPerSecond: 8, minimumCredits: 40 },
});

/** Upper bound on any single price: a price above it is a bug or an attack, not a render. */
export const MAX_PRICE_CREDITS = 1_000_000;

export function priceOf(book: PriceBook, job: { model: string; seconds: number; quotedCredits?: number }): number {
  if (job.quotedCredits !== undefined) return job.quotedCredits;
  const entry = Object.prototype.hasOwnProperty.call(book, job.model) ? book[job.model] : undefined;
  if (!entry) {
    throw new InvalidEventError('unknown model and no quoted credits', [
      `model "${job.model}" is not in the price book`,
    ]);
  }
  const price = Math.max(entry.minimumCredits, Math.ceil(job.seconds) * entry.creditsPerSecond);
  if (!Number.isSafeInteger(price) || price < 0 || price > MAX_PRICE_CREDITS) {
    throw new InvalidEventError('price out of range', [`${price} credits for ${job.seconds}s of ${job.model}`]);
  }
  return price;
}

/** Parses a price book from JSON (operators extend the defaults); rejects anything not integral. */
export function parsePriceBook(json: string): PriceBook {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidEventError('price book must be an object of model → { creditsPerSecond, minimumCredits }');
  }
  const book: Record<string, ModelPrice> = {};
  for (const [model, value] of Object.entries(parsed as Record<string, unknown>)) {
    const entry = value as Partial<ModelPrice> | null;
    const ok =
      entry !== null &&
      typeof entry === 'object' &&
      Number.isSafeInteger(entry.creditsPerSecond) &&
      (entry.creditsPerSecond as number) >= 0 &&
      Number.isSafeInteger(entry.minimumCredits) &&
      (entry.minimumCredits as number) >= 0;
    if (!ok)
      throw new InvalidEventError(
        `price book entry for "${model}" needs integer creditsPerSecond and minimumCredits >= 0`,
      );
    book[model] = {
      creditsPerSecond: entry.creditsPerSecond as number,
      minimumCredits: entry.minimumCredits as number,
    };
  }
  return Object.freeze(book);
}
