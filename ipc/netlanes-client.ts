/**
 * The typed NetLanes layer over the IOKit client: open the dext's user client, call it with
 * the ABI's codecs, await async methods' completions, map its memory. What the renderer, the
 * command-line client and the app's own agent use.
 */
import {
  ALL_EVENTS,
  MemoryType,
  NETLANES_SERVICE_NAME,
  NETLANES_USER_CLIENT_TYPE,
  type AppSettingRecord,
  type DriverInfo,
  type EventRecord,
  type FindingRecord,
  type FlowEntryRecord,
  type FlowStatRecord,
  type PacketDescription,
  type StatsSnapshot,
  type TxPolicyRecord,
} from '../driver-runtime/abi/netlanes-abi.ts';
import {
  ALL_SLOTS,
  CallError,
  Calls,
  type RawCall,
  type RawResult,
} from '../driver-runtime/abi/netlanes-calls.ts';
import type { Unsubscribe } from './carrier.ts';
import type { IOKitClient } from './iokit-client.ts';
import type { MappedMemory } from './replica.ts';

export type EventHandler = (args: readonly number[]) => void;

export class NetLanesClient {
  private nextReference = 1;
  private readonly waiters = new Map<number, (status: number, args: number[]) => void>();
  private readonly off: Unsubscribe;

  private constructor(
    readonly iokit: IOKitClient,
    readonly connection: number,
  ) {
    this.off = iokit.onAsyncCompletion((n) => {
      if (n.connection !== connection) return;
      this.waiters.get(n.reference[1])?.(n.status, n.args);
    });
  }

  /** IOServiceGetMatchingService(IOServiceNameMatching("NetLanesDriver")) + IOServiceOpen. */
  static async open(iokit: IOKitClient): Promise<NetLanesClient> {
    const service = await iokit.IOServiceGetMatchingService({ name: NETLANES_SERVICE_NAME });
    if (service === 0) throw new CallError('IOServiceGetMatchingService', 0xe00002c0 | 0);
    const { ret, connection } = await iokit.IOServiceOpen(service, NETLANES_USER_CLIENT_TYPE);
    if (ret !== 0) throw new CallError('IOServiceOpen', ret);
    return new NetLanesClient(iokit, connection);
  }

  /** One call; async calls resolve when their completion arrives (with its status). */
  async raw(call: RawCall): Promise<RawResult> {
    if (!call.async) {
      return this.iokit.IOConnectCallMethod(
        this.connection,
        call.selector,
        call.scalarInput,
        call.structInput,
        call.scalarOutputCount,
        call.structOutputSize,
      );
    }
    const id = this.nextReference++;
    const completed = new Promise<number>((resolve) => this.waiters.set(id, (status) => resolve(status)));
    const r = await this.iokit.IOConnectCallAsyncMethod(
      this.connection,
      call.selector,
      [0, id],
      call.scalarInput,
      call.structInput,
      call.scalarOutputCount,
      call.structOutputSize,
    );
    if (r.ret !== 0) {
      this.waiters.delete(id);
      return r;
    }
    const status = await completed;
    this.waiters.delete(id);
    return { ...r, ret: status };
  }

  private async must(name: string, call: RawCall): Promise<RawResult> {
    const r = await this.raw(call);
    if (r.ret !== 0) throw new CallError(name, r.ret);
    return r;
  }

  async info(): Promise<DriverInfo> {
    return Calls.decodeInfo(await this.raw(Calls.getInfo()));
  }

  async txPolicy(): Promise<TxPolicyRecord> {
    return Calls.decodeTxPolicy(await this.raw(Calls.getTxPolicy()));
  }

  async setTxPolicy(p: TxPolicyRecord): Promise<number> {
    return (await this.raw(Calls.setTxPolicy(p))).ret;
  }

  async setMtu(mtu: number): Promise<number> {
    return (await this.raw(Calls.setMtu(mtu))).ret;
  }

  async setInterfaceEnable(enable: boolean): Promise<number> {
    return (await this.raw(Calls.setInterfaceEnable(enable))).ret;
  }

  async setAppSettings(generation: number, settings: readonly AppSettingRecord[]): Promise<void> {
    await this.must('SetAppSettings', Calls.setAppSettings(generation, settings));
  }

  async setFlows(generation: number, entries: readonly FlowEntryRecord[]): Promise<void> {
    await this.must('SetFlows', Calls.setFlows(generation, entries));
  }

  async setRuleSet(generation: number, json: string): Promise<void> {
    await this.must('SetRuleSet', Calls.setRuleSet(generation, json));
  }

  async ruleSet(): Promise<{ generation: number; json: string }> {
    return Calls.decodeRuleSet(await this.raw(Calls.getRuleSet()));
  }

  async explainApp(slot: number): Promise<string[]> {
    return Calls.decodeText(await this.raw(Calls.explainApp(slot)));
  }

  async explainPacket(d: PacketDescription): Promise<string[]> {
    return Calls.decodeText(await this.raw(Calls.explainPacket(d)));
  }

  async stats(): Promise<StatsSnapshot> {
    return Calls.decodeStats(await this.raw(Calls.getStats()));
  }

  async flows(slot = ALL_SLOTS): Promise<FlowStatRecord[]> {
    return Calls.decodeFlows(await this.raw(Calls.getFlows(slot)));
  }

  async diagnose(): Promise<FindingRecord[]> {
    return Calls.decodeFindings(await this.raw(Calls.diagnose()));
  }

  async events(sinceSequence = 0): Promise<EventRecord[]> {
    return Calls.decodeEvents(await this.raw(Calls.getEvents(sinceSequence)));
  }

  async setCapture(enable: boolean, snap = 128): Promise<number> {
    return (await this.raw(Calls.setCapture(enable, snap))).ret;
  }

  /** Driver events as they happen ([EventKind, ...]); the subscription lasts until close. */
  async subscribe(onEvent: EventHandler, mask = ALL_EVENTS): Promise<number> {
    const id = this.nextReference++;
    this.waiters.set(id, (status, args) => {
      if (status === 0) onEvent(args);
    });
    const call = Calls.subscribe(mask);
    const r = await this.iokit.IOConnectCallAsyncMethod(
      this.connection,
      call.selector,
      [0, id],
      call.scalarInput,
      null,
      0,
      0,
    );
    if (r.ret !== 0) this.waiters.delete(id);
    return r.ret;
  }

  /** IOConnectMapMemory64 of a memory type (MemoryType.Stats …): a replica kept fresh. */
  async map(memoryType: number = MemoryType.Stats): Promise<MappedMemory> {
    const { ret, memory } = await this.iokit.IOConnectMapMemory64(this.connection, memoryType);
    if (ret !== 0 || memory === null) throw new CallError(`IOConnectMapMemory64(${memoryType})`, ret);
    return memory;
  }

  unmap(memoryType: number): Promise<number> {
    return this.iokit.IOConnectUnmapMemory64(this.connection, memoryType);
  }

  async close(): Promise<number> {
    this.off();
    this.waiters.clear();
    return this.iokit.IOServiceClose(this.connection);
  }
}
