/**
 * Descriptor-ring arithmetic from the head/tail registers (QEMU igb_ring_empty /
 * igb_ring_advance style): the registers are the truth, these only compute.
 * Hardware owns head .. tail-1; head == tail means empty (nic-model §1.3).
 */

/** Index `count` descriptors after `index` in a ring of `size`. */
export function ringAdvance(index: number, count: number, size: number): number {
  const next = index + count;
  return next >= size ? next - size : next;
}

export function ringEmpty(head: number, tail: number): boolean {
  return head === tail;
}

/** Descriptors between head and tail, i.e. owned by hardware (Rx: free buffers; Tx: pending). */
export function ringUsed(head: number, tail: number, size: number): number {
  if (size === 0) return 0;
  return tail >= head ? tail - head : size - head + tail;
}
