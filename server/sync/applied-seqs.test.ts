import { describe, expect, it } from 'vitest';
import { AppliedSeqs } from './applied-seqs.ts';

describe('AppliedSeqs', () => {
  it('advances only over a contiguous run of seqs', () => {
    const seqs = new AppliedSeqs(2);
    seqs.add(4);
    seqs.add(5);
    expect(seqs).toMatchObject({ through: 2, latest: 5, hasGap: true });
    seqs.add(3);
    expect(seqs).toMatchObject({ through: 5, latest: 5, hasGap: false });
    seqs.add(1);
    expect(seqs.through).toBe(5);
  });

  it('takes a repaired range and continues past what was ahead of it', () => {
    const seqs = new AppliedSeqs(0);
    seqs.add(3);
    seqs.add(7);
    seqs.addThrough(6);
    expect(seqs).toMatchObject({ through: 7, latest: 7, hasGap: false });
  });
});
