import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { valuesOf } from '@gatekeeper/shared/enum-values';
import { OUTCOMES, Outcome } from '@gatekeeper/shared/outcomes';

describe('valuesOf', () => {
  test('gives every value in declaration order, accepted by z.enum', () => {
    const Colour = { red: 'red', green: 'green' } as const;
    const colours = valuesOf(Colour);
    expect(colours).toEqual(['red', 'green']);
    expect(z.enum(colours).safeParse('green').success).toBe(true);
    expect(z.enum(colours).safeParse('blue').success).toBe(false);
    expect(OUTCOMES).toEqual(Object.keys(Outcome));
  });

  test('refuses an enum without members (z.enum would fail later, less clearly)', () => {
    expect(() => valuesOf({})).toThrow(/at least one member/);
  });
});
