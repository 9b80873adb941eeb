import { QUEUE_BY_SERVICE_CLASS, SETTING_IN_USE, type AppSettingRecord } from '../abi/netlanes-abi.ts';

/** Largest cap a slot may carry (OURS: 100 Gb/s, ten times the fastest link). */
const MAX_CAP_BPS = 100e9;
/** Largest token-bucket depth (OURS: 64 MiB). */
const MAX_BURST_BYTES = 64 * 1024 * 1024;

/**
 * What the app told the driver about each accounting slot: its queue, its cap, and — for
 * explain and diagnostics only — who it is and why. Slot 0 is the system (unattributed
 * traffic) and takes no setting. A batch is validated whole before anything changes.
 */
export class SlotSettings {
  readonly queue: Uint8Array;
  readonly capBps: Float64Array;
  readonly burstBytes: Float64Array;
  readonly labels: string[];
  readonly reasons: string[];
  generation = 0;

  constructor(readonly slots: number) {
    this.queue = new Uint8Array(slots).fill(QUEUE_BY_SERVICE_CLASS);
    this.capBps = new Float64Array(slots);
    this.burstBytes = new Float64Array(slots);
    this.labels = new Array<string>(slots).fill('');
    this.reasons = new Array<string>(slots).fill('');
    this.labels[0] = 'system';
  }

  /** What is wrong with a batch, naming the record and field, or null. */
  invalid(records: readonly AppSettingRecord[]): string | null {
    const seen = new Set<number>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const at = `setting ${i} (slot ${r.slot})`;
      if (r.slot < 1 || r.slot >= this.slots) return `${at}: slot must be 1..${this.slots - 1}`;
      if (seen.has(r.slot)) return `${at}: slot appears twice`;
      seen.add(r.slot);
      if (r.queue > 3 && r.queue !== QUEUE_BY_SERVICE_CLASS) return `${at}: queue must be 0..3 or 255`;
      if (!(r.capBps >= 0 && r.capBps <= MAX_CAP_BPS)) return `${at}: capBps must be 0..${MAX_CAP_BPS}`;
      if (!(r.burstBytes >= 0 && r.burstBytes <= MAX_BURST_BYTES))
        return `${at}: burstBytes must be 0..${MAX_BURST_BYTES}`;
      if (r.capBps > 0 && r.burstBytes < 1522)
        return `${at}: a cap needs burstBytes of at least one frame (1522)`;
    }
    return null;
  }

  /** Applies a valid batch: a record without SETTING_IN_USE clears its slot. */
  apply(records: readonly AppSettingRecord[], generation: number): void {
    for (const r of records) {
      const used = (r.flags & SETTING_IN_USE) !== 0;
      this.queue[r.slot] = used ? r.queue : QUEUE_BY_SERVICE_CLASS;
      this.capBps[r.slot] = used ? r.capBps : 0;
      this.burstBytes[r.slot] = used ? r.burstBytes : 0;
      this.labels[r.slot] = used ? r.label : '';
      this.reasons[r.slot] = used ? r.reason : '';
    }
    this.generation = generation;
  }

  /** "slot 4 (us.zoom.xos)", for explain and logs. */
  name(slot: number): string {
    const label = slot < this.slots ? this.labels[slot] : '';
    return label ? `slot ${slot} (${label})` : `slot ${slot}`;
  }
}
