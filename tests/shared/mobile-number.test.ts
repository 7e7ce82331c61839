// Mobile numbers as the holder's SMS step needs them (issue 11, measure 3): with the country
// code, so MessageBird's MSISDN names the right phone, and one spelling per number, so the
// per-number send limit counts one number once.
import { describe, expect, it } from 'vitest';
import { normaliseMobile, zHolderChangeBody } from '@gatekeeper/shared/api/verification';

describe('a mobile number', () => {
  it('is kept as + and digits, however it was written', () => {
    expect(['+31 6 1234 5678', '+31-6-12345678', '0031612345678', '(+31) 612345678', '+31.6.1234.5678'].map(normaliseMobile))
      .toEqual(Array(5).fill('+31612345678'));
  });

  it('without its country code, or not a number, is refused (null)', () => {
    expect(['0612345678', '612345678', 'call me', '+12', '+1234567890123456'].map(normaliseMobile)).toEqual(Array(5).fill(null));
  });

  it('is refused in the box office\u2019s change with the holder\u2019s words, and normalised when right', () => {
    const body = { buyerName: 'A', email: null, reason: 'r' };
    expect(zHolderChangeBody.safeParse({ ...body, mobile: '0612345678' }).error?.issues[0]?.message).toMatch(/country code/);
    expect(zHolderChangeBody.parse({ ...body, mobile: '+31 6 1234 5678' }).mobile).toBe('+31612345678');
  });
});
