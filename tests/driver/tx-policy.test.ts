/**
 * The Tx policy validator names the field that is wrong; withTxPolicy copies.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TX_POLICY,
  TX_SCHEDULER_MODES,
  invalidTxPolicy,
  withTxPolicy,
  type TxPolicy,
} from '../../driver-runtime/driver/tx-policy.ts';

/** A policy with one field replaced, type checks bypassed on purpose (values come from JSON). */
function bad(field: keyof TxPolicy, value: unknown): TxPolicy {
  return { ...withTxPolicy(DEFAULT_TX_POLICY, {}), [field]: value } as TxPolicy;
}

describe('invalidTxPolicy', () => {
  it('accepts the default and every scheduler mode', () => {
    expect(invalidTxPolicy(DEFAULT_TX_POLICY)).toBeNull();
    expect(TX_SCHEDULER_MODES).toEqual(['fifo', 'sp', 'drr', 'sp-drr']);
    for (const mode of TX_SCHEDULER_MODES) expect(invalidTxPolicy(bad('txScheduler', mode))).toBeNull();
  });

  it.each([['wfq'], [''], ['SP'], [undefined], [3]])('names txScheduler for %j', (mode) => {
    expect(invalidTxPolicy(bad('txScheduler', mode))).toMatch(
      /^txScheduler .* must be one of fifo, sp, drr, sp-drr$/,
    );
  });

  it.each([
    [[1514, 1514, 1514, -1]],
    [[1514, 1514, 1514, 1.5]],
    [[1514, 1514, 1514, (1 << 20) + 1]],
    [[1514, 1514, 1514, NaN]],
    [[1514, 1514, 1514, Infinity]],
    [[1514, 1514, 1514]],
    [[1514, 1514, 1514, 1514, 1514]],
    [[1514, 1514, 1514, '1514']],
    ['1514'],
    [null],
  ])('names drrQuanta for %j', (q) => {
    expect(invalidTxPolicy(bad('drrQuanta', q))).toBe('drrQuanta must be four integers 0..1048576');
  });

  it('accepts quanta 0 and 2^20 (the 20 bits of TXQWRR)', () => {
    expect(invalidTxPolicy(bad('drrQuanta', [0, 1 << 20, 1, 9018]))).toBeNull();
  });

  it.each([[[1.5, 0, 0, 0]], [[-0.1, 0, 0, 0]], [[0, 0, 0, NaN]], [[0, 0, 0]], [[0, 0, 0, '0']]])(
    'names floors for a share outside 0..1: %j',
    (f) => {
      expect(invalidTxPolicy(bad('floors', f))).toBe('floors must be four shares 0..1');
    },
  );

  it('names floors when they add up to more than 1', () => {
    expect(invalidTxPolicy(bad('floors', [0.6, 0.6, 0, 0]))).toBe('floors must add up to at most 1');
    expect(invalidTxPolicy(bad('floors', [0.25, 0.25, 0.25, 0.2500001]))).toBe(
      'floors must add up to at most 1',
    );
  });

  it('accepts floors adding up to exactly 1', () => {
    expect(invalidTxPolicy(bad('floors', [0.25, 0.25, 0.25, 0.25]))).toBeNull();
    expect(invalidTxPolicy(bad('floors', [1, 0, 0, 0]))).toBeNull();
    expect(invalidTxPolicy(bad('floors', [1 / 16, 3 / 16, 4 / 16, 8 / 16]))).toBeNull();
  });

  /**
   * Was a bug (tx-policy.ts, `p.floors.reduce((a, b) => a + b, 0) > 1`): shares that add up to
   * exactly 1 in decimal can sum to 1.0000000000000002 in binary floating point (0.33 + 0.56
   * + 0.11 here; 2026 of the 176 851 two-decimal splits of 1 into four), and the policy is
   * refused as "more than 1". Fix: compare with a tolerance, e.g. `> 1 + 1e-9`.
   */
  it('accepts decimal floors that add up to exactly 1 (0, 0.33, 0.56, 0.11)', () => {
    expect(invalidTxPolicy(bad('floors', [0, 0.33, 0.56, 0.11]))).toBeNull();
  });

  it.each([[[0, 0, 0, -1]], [[0, 0, 0, Infinity]], [[0, 0, 0]], [[0, 0, 0, NaN]]])(
    'names maxBps for %j',
    (m) => {
      expect(invalidTxPolicy(bad('maxBps', m))).toBe('maxBps must be four rates ≥ 0');
    },
  );

  it('accepts any finite maxBps ≥ 0', () => {
    expect(invalidTxPolicy(bad('maxBps', [0, 1, 123.5, 10e9]))).toBeNull();
  });

  it.each([[[-2, -1, -1, -1]], [[8, -1, -1, -1]], [[1.5, -1, -1, -1]], [[-1, -1, -1]]])(
    'names pcp for %j',
    (p) => {
      expect(invalidTxPolicy(bad('pcp', p))).toBe('pcp must be four integers -1..7 (-1 = no marking)');
    },
  );

  it('accepts pcp -1..7', () => {
    expect(invalidTxPolicy(bad('pcp', [-1, 0, 7, 3]))).toBeNull();
  });

  it('refuses pure DRR with every quantum 0, and only pure DRR', () => {
    const zero = withTxPolicy(DEFAULT_TX_POLICY, { txScheduler: 'drr', drrQuanta: [0, 0, 0, 0] });
    expect(invalidTxPolicy(zero)).toBe('DRR with every quantum 0 would never send');
    expect(invalidTxPolicy({ ...zero, drrQuanta: [0, 0, 0, 1] })).toBeNull();
    for (const mode of ['fifo', 'sp', 'sp-drr'] as const)
      expect(invalidTxPolicy({ ...zero, txScheduler: mode })).toBeNull();
  });

  it('names the first bad field when several are bad', () => {
    const p = { ...bad('drrQuanta', [-1, 0, 0, 0]), pcp: [9, 9, 9, 9] } as unknown as TxPolicy;
    expect(invalidTxPolicy(p)).toMatch(/^drrQuanta/);
  });
});

describe('withTxPolicy', () => {
  it('applies the change and keeps the rest', () => {
    const p = withTxPolicy(DEFAULT_TX_POLICY, { txScheduler: 'drr', floors: [0.5, 0, 0, 0] });
    expect(p).toEqual({
      txScheduler: 'drr',
      drrQuanta: [1514, 1514, 1514, 1514],
      floors: [0.5, 0, 0, 0],
      maxBps: [0, 0, 0, 0],
      pcp: [-1, -1, -1, -1],
    });
    expect(withTxPolicy(p, { txScheduler: undefined }).txScheduler).toBe('drr');
  });

  it('copies every array: the result shares nothing with the current policy or the change', () => {
    const current: TxPolicy = {
      txScheduler: 'sp',
      drrQuanta: [1, 2, 3, 4],
      floors: [0, 0, 0, 0],
      maxBps: [5, 6, 7, 8],
      pcp: [0, 1, 2, 3],
    };
    const change = { floors: [0.1, 0, 0, 0] as const, pcp: [7, 7, 7, 7] as const };
    const p = withTxPolicy(current, change);
    for (const k of ['drrQuanta', 'floors', 'maxBps', 'pcp'] as const) {
      expect(p[k]).not.toBe(current[k]);
      expect(p[k]).not.toBe((change as Partial<TxPolicy>)[k]);
    }
    (p.drrQuanta as unknown as number[])[0] = 999;
    (p.floors as unknown as number[])[0] = 0.9;
    (p.pcp as unknown as number[])[0] = -1;
    expect(current.drrQuanta).toEqual([1, 2, 3, 4]);
    expect(change.floors).toEqual([0.1, 0, 0, 0]);
    expect(change.pcp).toEqual([7, 7, 7, 7]);
    // Nor is DEFAULT_TX_POLICY ever touched through a copy.
    const d = withTxPolicy(DEFAULT_TX_POLICY, {});
    (d.maxBps as unknown as number[])[1] = 1;
    expect(DEFAULT_TX_POLICY.maxBps).toEqual([0, 0, 0, 0]);
  });

  it('passes a non-array through unchanged for the validator to name', () => {
    const p = withTxPolicy(DEFAULT_TX_POLICY, { maxBps: 'fast' as unknown as TxPolicy['maxBps'] });
    expect(p.maxBps).toBe('fast');
    expect(invalidTxPolicy(p)).toBe('maxBps must be four rates ≥ 0');
  });
});
