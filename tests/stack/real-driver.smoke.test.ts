/**
 * Smoke test on the real simulated machine: SimNic + IOPCIDevice + NetLanesDriver, with the
 * HostStack on the registered interface and the LinkPartner on the wire. The lead owns the
 * machine assembly; this only checks that the stack's seams match the real driver's.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { LINK_BPS } from '../../driver-runtime/sim/units.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime } from '../../driver-runtime/kit/runtime.ts';
import { SimNic } from '../../driver-runtime/device/index.ts';
import { IOPCIDevice } from '../../driver-runtime/pci/io-pci-device.ts';
import { NetLanesDriver } from '../../driver-runtime/driver/index.ts';
import { HostStack } from '../../driver-runtime/stack/index.ts';
import { LinkPartner } from '../../driver-runtime/peer/index.ts';
import { bulkApp, constantApp, pingApp, receiveApp, PEER_IP, PEER_MAC, HOST_IP } from './harness.ts';

const MAC = Uint8Array.of(0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30);

describe('HostStack on the real SimNic + NetLanesDriver', () => {
  it('resolves ARP, pings, sends and receives; packets all come back', () => {
    const scheduler = new Scheduler();
    const memory = new HostMemory({ size: 64 * 1024 * 1024 });
    const runtime = createRuntime(scheduler, memory);
    withRuntime(runtime, () => {
      const nic = new SimNic({ mac: MAC, linkSpeed: '1g' });
      const pci = IOPCIDevice.createFor(runtime, nic);
      const driver = new NetLanesDriver();
      expect(driver.Start(pci)).toBe(0);
      expect(driver.SetInterfaceEnable(true)).toBe(0);
      const partner = new LinkPartner({
        scheduler,
        linkBps: LINK_BPS['1g'],
        mac: PEER_MAC,
        ip: PEER_IP,
        nic,
      });
      nic.connectWire(partner);
      const stack = new HostStack({
        iface: driver,
        hostIp: HOST_IP,
        peerIp: PEER_IP,
        apps: [
          constantApp('call', 100, 2e6, 1100),
          bulkApp('backup', 377, 1 << 18),
          pingApp('ping', 4242, 10e6),
          receiveApp('music', 1201, 20e6, 50400),
        ],
        flowSource: partner,
      });
      stack.start();
      scheduler.runUntil(200e6);
      stack.stop();
      scheduler.runUntil(400e6);
      const [call, backup, ping, music] = stack.allAppStats();
      expect(stack.peerMac).toBe(partner.mac);
      expect(call.txCompleted).toBeGreaterThan(30);
      expect(backup.txCompleted).toBeGreaterThan(10_000);
      expect(ping.pingReplies).toBeGreaterThan(10);
      expect(music.rxPackets).toBeGreaterThan(100);
      expect(partner.counters.badChecksum).toBe(0);
      expect(stack.counters.txNoTimestamp).toBe(0);
      const acc = stack.accounting();
      expect(acc.inFlight).toBe(0);
      expect(acc.sent).toBe(acc.enqueued + acc.drops);
      expect(acc.enqueued).toBe(acc.onWire + acc.errors);
      expect(partner.counters.sunkFrames + partner.counters.echoRequests + partner.counters.arpRequests).toBe(
        acc.onWire,
      );
      expect(driver.packetPool!.inUse).toBe(stack.counters.rxBuffersPosted);
    });
  });
});
