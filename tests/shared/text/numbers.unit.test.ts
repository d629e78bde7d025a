import { grouped, signedGrouped } from '../../../shared/text/numbers';

describe('grouped numbers', () => {
  test('thousands separators, whole numbers, negatives', () => {
    expect(grouped(878696)).toBe('878,696');
    expect(grouped(999)).toBe('999');
    expect(grouped(-1234567)).toBe('-1,234,567');
    expect(grouped(1234.6)).toBe('1,235');
  });
  test('signed: a plus for credits, a minus for debits, none for zero', () => {
    expect(signedGrouped(1200)).toBe('+1,200');
    expect(signedGrouped(-50)).toBe('-50');
    expect(signedGrouped(0)).toBe('0');
  });
});
