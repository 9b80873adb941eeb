/**
 * A machine for fuzzing the kernel's user-client path directly (DextKernel, synchronous): the
 * fuzzer's own connection beside the app's, its Command mapping to write batches into, and the
 * checks run between rounds — put back what the fuzzer may have changed (interface disabled,
 * a strange Tx policy or MTU, capture on, caps on slots), let traffic flow, and see that the
 * driver still serves, still sends and still keeps its rings and counters straight.
 */
import { expect } from 'vitest';
import { Machine, type MachineOptions } from '../../driver-runtime/host/machine.ts';
import { APP_ENTITLEMENTS, type TxPolicyValue } from '../../driver-runtime/host/driver-client.ts';
import type { CallRequest, CallResult, KernelNotification } from '../../driver-runtime/host/dext-kernel.ts';
import {
  INFO_ENABLED,
  INFO_LINK_UP,
  MemoryType,
  NETLANES_SERVICE_NAME,
  NETLANES_USER_CLIENT_TYPE,
  Selector,
  type AppSettingRecord,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { Calls } from '../../driver-runtime/abi/netlanes-calls.ts';
import { kIOReturnSuccess } from '../../driver-runtime/abi/io-return.ts';
import { expectConservation, expectNoLeaks, expectRingInvariants } from '../support/invariants.ts';
import { scenario } from '../machine/helpers.ts';
import { isDefinedIOReturn, isScalarValue, type CallShape } from './arbitraries.ts';

/** Virtual time each checkpoint lets traffic run (home-office sends ~80 frames a millisecond). */
const CHECKPOINT_NS = 2e6;

export class KernelRig {
  readonly m: Machine;
  readonly connection: number;
  /** The fuzzer's mapping of the Command buffer (read-write). */
  readonly command: Uint8Array;
  /** The app's mapping of RingState, for the ring invariants. */
  private readonly ringState: Uint8Array;
  /** Notifications for connections other than the app's (the fuzzer's). */
  readonly notifications: KernelNotification[] = [];
  private readonly policy: TxPolicyValue;
  private readonly mtu: number;
  private readonly slots: number;
  private settingsGeneration = 1_000_000;
  checkpoints = 0;
  /** SetInterfaceEnable(false) calls that succeeded (each may turn up to one sent frame per ring into an abort). */
  disables = 0;

  constructor(options: Partial<MachineOptions> = {}) {
    this.m = Machine.boot({ scenario: scenario('home-office'), ...options });
    this.m.onKernelNotification = (n) => this.notifications.push(n);
    this.connection = this.open();
    const mapped = this.m.kernel.map(this.connection, MemoryType.Command);
    expect(mapped.ret).toBe(kIOReturnSuccess);
    this.command = new Uint8Array(mapped.buffer!, mapped.offset, mapped.length);
    this.ringState = this.m.client.map(MemoryType.RingState).bytes;
    this.policy = this.m.client.txPolicy();
    const info = this.m.client.info();
    this.mtu = info.mtu;
    this.slots = info.appSlots;
  }

  /** IOServiceOpen with the app's entitlements; the new connection's id. */
  open(): number {
    const service = this.m.kernel.match({ name: NETLANES_SERVICE_NAME });
    const opened = this.m.kernel.open(service, NETLANES_USER_CLIENT_TYPE, APP_ENTITLEMENTS);
    expect(opened.ret).toBe(kIOReturnSuccess);
    return opened.connection;
  }

  /** One call on the fuzzer's connection (or another, for calls on closed ones). */
  call(req: CallShape, connection = this.connection): CallResult {
    const r = this.m.kernel.call({ ...req, connection } as CallRequest);
    if (
      r.ret === kIOReturnSuccess &&
      req.selector === Selector.SetInterfaceEnable &&
      req.scalarInput[0] === 0
    )
      this.disables++;
    return r;
  }

  /** Takes the notifications heard so far, each checked for shape. */
  drainNotifications(): KernelNotification[] {
    const taken = this.notifications.splice(0);
    for (const n of taken) {
      if (n.kind !== 'async') continue;
      expect(isDefinedIOReturn(n.status), `completion status ${n.status}`).toBe(true);
      // Slot 0 of the reference is the system's: the connection the completion belongs to.
      expect(n.reference[0]).toBe(n.connection);
      expect(n.reference.length).toBeGreaterThanOrEqual(1);
      expect(n.reference.length).toBeLessThanOrEqual(8);
      expect(n.args.length).toBeLessThanOrEqual(16);
      for (const x of n.args) expect(isScalarValue(x), `completion value ${x}`).toBe(true);
    }
    return taken;
  }

  /**
   * Puts back what fuzzed calls may have changed, through the app's own connection: the
   * interface enabled, the Tx policy and MTU of boot, capture off, every slot's setting cleared.
   */
  restore(): void {
    const c = this.m.client;
    expect(c.setInterfaceEnable(true)).toBe(kIOReturnSuccess);
    expect(c.setTxPolicy(this.policy)).toBe(kIOReturnSuccess);
    expect(c.setMtu(this.mtu)).toBe(kIOReturnSuccess);
    expect(c.raw(Calls.setCapture(false, 64)).ret).toBe(kIOReturnSuccess);
    const cleared: AppSettingRecord[] = [];
    for (let slot = 1; slot < this.slots; slot++)
      cleared.push({ slot, queue: 255, flags: 0, capBps: 0, burstBytes: 0, label: '', reason: '' });
    // 40 records a batch (3848 bytes): in band.
    for (let i = 0; i < cleared.length; i += 40)
      c.setAppSettings(this.settingsGeneration++, cleared.slice(i, i + 40));
    this.m.settle();
  }

  /**
   * Between rounds: restore, run traffic, and check that the driver still answers GetInfo
   * (enabled, link up), still sends (opkts grew), and keeps its rings and counters consistent.
   */
  checkpoint(): void {
    this.checkpoints++;
    this.restore();
    const before = this.m.client.stats().opkts;
    this.m.run(CHECKPOINT_NS);
    // The fuzzer's own connection still gets good answers too.
    expect(this.call(Calls.getInfo()).ret).toBe(kIOReturnSuccess);
    const info = this.m.client.info();
    expect(info.flags & INFO_ENABLED).toBe(INFO_ENABLED);
    expect(info.flags & INFO_LINK_UP).toBe(INFO_LINK_UP);
    expect(this.m.client.stats().opkts).toBeGreaterThan(before);
    expectRingInvariants(this.m, this.ringState);
    const acc = this.m.stack.accounting();
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors + acc.inFlight);
  }

  /** The end: restore, drain, conservation at every layer, close, and a clean shutdown. */
  finish(extraConnections: readonly number[] = []): void {
    this.restore();
    // Closed before the drain, which runs what the closes queued (subscriptions' aborted
    // handlers): closing right before shutdown leaks an OSAction (see lifecycle.test.ts).
    for (const c of [this.connection, ...extraConnections]) this.m.kernel.close(c);
    this.m.drain();
    expectConservation(this.m);
    expectNoLeaks(this.m.shutdown());
  }
}
