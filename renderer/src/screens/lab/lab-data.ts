/**
 * What the lab offers that no request lists yet: the faults it can inject (host/faults.ts,
 * FAULT_KINDS, with what the driver does about each — ARCHITECTURE.md) and the workloads it
 * ships (main/scenarios.ts). A `scenarios` app request would replace the second list.
 */
export interface FaultSpec {
  kind: string;
  name: string;
  what: string;
  /** The spec sent to InjectFault ("now", on a queue when it needs one). */
  spec: string;
  /** Ends the card until the workload is switched: ask first. */
  destructive?: boolean;
}

export const FAULTS: readonly FaultSpec[] = [
  {
    kind: 'link-flap',
    name: 'Link flap',
    what: 'Cable out for 200 ms: link down, then up again.',
    spec: 'link-flap@0s',
  },
  {
    kind: 'pause',
    name: 'Pause frames',
    what: 'The partner sends XOFF for 300 ms: Tx stalls, no hang reported.',
    spec: 'pause@0s',
  },
  {
    kind: 'tx-hang',
    name: 'Tx hang',
    what: 'Queue 0 stops advancing: the watchdog reports the hang and resets.',
    spec: 'tx-hang@0s:q0',
  },
  {
    kind: 'dma-error',
    name: 'DMA error',
    what: 'A DMA error disables queue 0: the driver resets the adapter.',
    spec: 'dma-error@0s:q0',
  },
  {
    kind: 'lost-interrupts',
    name: 'Lost interrupts',
    what: '100 MSI-X messages vanish: the watchdog finds work and polls.',
    spec: 'lost-interrupts@0s',
  },
  {
    kind: 'interrupt-storm',
    name: 'Interrupt storm',
    what: 'Spurious interrupts: coalesced, harmless polls.',
    spec: 'interrupt-storm@0s',
  },
  {
    kind: 'pool-exhaustion',
    name: 'Pool exhaustion',
    what: 'Every free packet taken for 100 ms: senders count drops.',
    spec: 'pool-exhaustion@0s',
  },
  {
    kind: 'rx-overrun',
    name: 'Rx overrun',
    what: 'Receive overruns for 50 ms: counted, logged once.',
    spec: 'rx-overrun@0s',
  },
  {
    kind: 'reset',
    name: 'External reset',
    what: 'CTRL.RST from outside: the watchdog re-initialises.',
    spec: 'reset@0s',
  },
  {
    kind: 'surprise-removal',
    name: 'Surprise removal',
    what: 'The card leaves the bus: the driver stops touching it. Switch the workload to bring it back.',
    spec: 'surprise-removal@0s',
    destructive: true,
  },
];

export const SCENARIOS: readonly { name: string; what: string }[] = [
  { name: 'home-office', what: 'A call, chat, browsing, a backup, music and a ping on 1 GbE' },
  { name: 'contention', what: 'A call, a game and browsing against two greedy uploads on 1 GbE' },
];
