import { DEFAULT_PRICE_BOOK, parsePriceBook, priceOf } from '../../shared/pricing';
import { InvalidEventError } from '../../shared/errors';

describe('pricing', () => {
  test('the operators manual test event (model test, 5 s, no quote) costs exactly 1 credit', () => {
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'test', seconds: 5 })).toBe(1);
  });
  test('a quote wins over the price book, including a quote of zero', () => {
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-pro', seconds: 60, quotedCredits: 7 })).toBe(7);
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-pro', seconds: 60, quotedCredits: 0 })).toBe(0);
  });
  test('per started second with a minimum, always an integer', () => {
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-standard', seconds: 2 })).toBe(5);
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-standard', seconds: 8.2 })).toBe(9);
    expect(priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-pro', seconds: 10 })).toBe(30);
  });
  test('an unknown model without a quote is a bad event, never a guess', () => {
    expect(() => priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-next', seconds: 5 })).toThrow(InvalidEventError);
    expect(() => priceOf(DEFAULT_PRICE_BOOK, { model: '__proto__', seconds: 5 })).toThrow(InvalidEventError);
    expect(() => priceOf(DEFAULT_PRICE_BOOK, { model: 'toString', seconds: 5 })).toThrow(InvalidEventError);
  });
  test('a price book from JSON must be integral', () => {
    expect(parsePriceBook('{"x":{"creditsPerSecond":2,"minimumCredits":3}}')).toEqual({
      x: { creditsPerSecond: 2, minimumCredits: 3 },
    });
    expect(() => parsePriceBook('{"x":{"creditsPerSecond":0.5,"minimumCredits":3}}')).toThrow(InvalidEventError);
    expect(() => parsePriceBook('[]')).toThrow(InvalidEventError);
  });
});
