/**
 * The per-application settings the app side pushes to the driver: for each accounting slot,
 * its hardware queue and optional Tx cap. Dense tables indexed by slot, so the per-packet
 * classifier is one array read; `generation` tells versions apart and is echoed in the
 * statistics region once the driver has applied a table.
 */

/** Queue entry meaning "no setting: use the packet's service class". */
export const QUEUE_FROM_SERVICE_CLASS = 255;

export interface AppSettingsTable {
  generation: number;
  /** Hardware queue 0..3 per slot, or QUEUE_FROM_SERVICE_CLASS. */
  queueByApp: Uint8Array;
  /** Tx cap in bits/s per slot, 0 = none. */
  capBpsByApp: Float64Array;
  /** Token-bucket depth in bytes per slot (used only where a cap is set). */
  burstBytesByApp: Float64Array;
}
