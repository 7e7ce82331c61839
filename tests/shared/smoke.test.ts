import { describe, expect, it } from 'vitest';
import { Outcome, OUTCOMES } from '@gatekeeper/shared/outcomes';

describe('outcome vocabulary', () => {
  it('holds the fifteen outcomes of the design', () => {
    expect(OUTCOMES).toHaveLength(15);
    expect(Outcome.already_used).toBe('already_used');
  });
});
