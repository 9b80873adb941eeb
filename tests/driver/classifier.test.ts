/**
 * RuleClassifier precedence: the forced single queue, then the per-app table, then the
 * service-class fold. The fold's expectations are literals from xnu's fq_codel
 * (fq_if_service_to_priority, driver-managed): BK_SYS,BK → BK; BE,RD,OAM → BE;
 * AV,RV,VI → VI; VO,CTL → VO, with NetLanes queues BK=0, BE=1, VI=2, VO=3.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RuleClassifier, ServiceClassClassifier } from '../../driver-runtime/driver/classifier.ts';
import type { IOUserNetworkPacketBufferPool } from '../../driver-runtime/networking/packet-buffer-pool.ts';
import { makeDma } from './fixture.ts';

/** [name, SO_TRAFFIC_CLASS value, expected hardware queue]. */
const FOLD: [string, number, number][] = [
  ['BK_SYS', 100, 0],
  ['BK', 200, 0],
  ['BE', 0, 1],
  ['RD', 300, 1],
  ['OAM', 400, 1],
  ['AV', 500, 2],
  ['RV', 600, 2],
  ['VI', 700, 2],
  ['VO', 800, 3],
  ['CTL', 900, 3],
];
/** abi/app-settings QUEUE_FROM_SERVICE_CLASS, written out. */
const FROM_CLASS = 255;

let pool: IOUserNetworkPacketBufferPool;
let handle: number;

beforeAll(() => {
  const dma = makeDma(16);
  pool = dma.pool;
  handle = dma.packets(1)[0];
});

function packet(app: number, serviceClass: number): number {
  pool.appId[handle] = app;
  pool.serviceClass[handle] = serviceClass;
  return handle;
}

/** The queue the last line of explain() names. */
function explainedQueue(c: RuleClassifier, h: number): number {
  const steps = c.explain(pool, h);
  const m = /Queue (\d+)/.exec(steps[steps.length - 1]);
  expect(m).not.toBeNull();
  return Number(m![1]);
}

describe('ServiceClassClassifier: the xnu 10 → 4 fold', () => {
  it.each(FOLD)('%s (%i) → queue %i', (_name, sc, queue) => {
    const c = new ServiceClassClassifier();
    expect(c.classify(pool, packet(1, sc))).toBe(queue);
  });

  it('an unknown service class goes to BE (queue 1)', () => {
    expect(new ServiceClassClassifier().classify(pool, packet(1, 1000))).toBe(1);
    expect(new ServiceClassClassifier().classify(pool, packet(1, 65535))).toBe(1);
  });
});

describe('RuleClassifier', () => {
  it('with no table, every app gets its service class fold', () => {
    const c = new RuleClassifier();
    for (const [, sc, queue] of FOLD) {
      for (const app of [0, 1, 7, 4000]) expect(c.classify(pool, packet(app, sc))).toBe(queue);
    }
  });

  it('a table entry wins over the service class', () => {
    const c = new RuleClassifier();
    c.apply(Uint8Array.of(FROM_CLASS, 0, 3, 2, 1), 1);
    expect(c.classify(pool, packet(1, 900))).toBe(0); // CTL, but the rule says 0
    expect(c.classify(pool, packet(2, 200))).toBe(3); // BK, but the rule says 3
    expect(c.classify(pool, packet(3, 0))).toBe(2);
    expect(c.classify(pool, packet(4, 800))).toBe(1);
  });

  it.each(FOLD)('QUEUE_FROM_SERVICE_CLASS (255) falls back to the fold: %s → %i', (_name, sc, queue) => {
    const c = new RuleClassifier();
    c.apply(Uint8Array.of(0, FROM_CLASS, 3), 4);
    expect(c.classify(pool, packet(1, sc))).toBe(queue);
    // So does an app id beyond the table.
    expect(c.classify(pool, packet(3, sc))).toBe(queue);
    expect(c.classify(pool, packet(60000, sc))).toBe(queue);
  });

  it('forcedQueue ≥ 0 wins over the table and the class; -1 turns it off', () => {
    const c = new RuleClassifier();
    c.apply(Uint8Array.of(3, 3, 3), 2);
    c.forcedQueue = 0;
    expect(c.classify(pool, packet(1, 900))).toBe(0);
    expect(c.classify(pool, packet(9, 800))).toBe(0);
    c.forcedQueue = 2;
    expect(c.classify(pool, packet(1, 100))).toBe(2);
    c.forcedQueue = -1;
    expect(c.classify(pool, packet(1, 100))).toBe(3);
    expect(c.classify(pool, packet(9, 100))).toBe(0);
  });

  it('slotOf is the packet’s app id and queueOf(slot) agrees with classify', () => {
    const c = new RuleClassifier();
    c.apply(Uint8Array.of(FROM_CLASS, 2, FROM_CLASS), 1);
    for (const app of [0, 1, 2, 5]) {
      for (const [, sc] of FOLD) {
        const h = packet(app, sc);
        expect(c.slotOf(pool, h)).toBe(app);
        expect(c.queueOf(c.slotOf(pool, h), pool, h)).toBe(c.classify(pool, h));
      }
    }
  });

  it('apply swaps the table and the generation between two packets', () => {
    const c = new RuleClassifier();
    expect(c.generation).toBe(0);
    c.apply(Uint8Array.of(FROM_CLASS, 3), 7);
    expect(c.generation).toBe(7);
    expect(c.classify(pool, packet(1, 100))).toBe(3);
    c.apply(Uint8Array.of(FROM_CLASS, 0), 8);
    expect(c.generation).toBe(8);
    expect(c.classify(pool, packet(1, 900))).toBe(0);
    // An empty table removes every rule.
    c.apply(new Uint8Array(0), 9);
    expect(c.classify(pool, packet(1, 900))).toBe(3);
  });

  describe('explain', () => {
    it('names the rule and its generation for a table hit', () => {
      const c = new RuleClassifier();
      c.apply(Uint8Array.of(FROM_CLASS, FROM_CLASS, 0), 12);
      const h = packet(2, 800);
      const steps = c.explain(pool, h, (a) => (a === 2 ? 'Backup' : '?'));
      expect(steps[0]).toBe(`packet ${h}: Backup (app id 2), service class 800`);
      expect(steps[1]).toBe('rule table generation 12: app id 2 → Queue 0');
      expect(steps).toHaveLength(2);
    });

    it('says there is no rule and shows the fold otherwise', () => {
      const c = new RuleClassifier();
      c.apply(Uint8Array.of(FROM_CLASS, FROM_CLASS), 3);
      const h = packet(1, 500);
      const steps = c.explain(pool, h);
      expect(steps[0]).toBe(`packet ${h}: app 1 (app id 1), service class 500`);
      expect(steps[1]).toBe('rule table generation 3: no rule for app id 1');
      expect(steps[2]).toBe('default: service class 500 folds to Queue 2 (xnu 10 → 4)');
    });

    it('names the single-queue baseline when a queue is forced', () => {
      const c = new RuleClassifier();
      c.forcedQueue = 0;
      const steps = c.explain(pool, packet(1, 900));
      expect(steps[1]).toBe('single-queue baseline: every packet → Queue 0');
    });

    it('always ends with the queue classify picks', () => {
      const c = new RuleClassifier();
      c.apply(Uint8Array.of(FROM_CLASS, 1, FROM_CLASS, 3, 0), 5);
      for (const forced of [-1, 0, 3]) {
        c.forcedQueue = forced;
        for (const app of [0, 1, 2, 3, 4, 5, 300]) {
          for (const [, sc] of FOLD) {
            const h = packet(app, sc);
            expect(explainedQueue(c, h)).toBe(c.classify(pool, h));
          }
        }
      }
    });
  });
});
