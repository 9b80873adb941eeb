/**
 * The io-pkt guide's lifecycle loop: start, enable, run traffic, disable, stop — 1000 times
 * on one device — leaving no buffers, objects, timers, handlers or host memory behind.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, liveObjectCount, withRuntime } from '../../driver-runtime/kit/runtime.ts';
import { SimNic } from '../../driver-runtime/device/sim-nic.ts';
import { IOPCIDevice } from '../../driver-runtime/pci/io-pci-device.ts';
import { NetLanesDriver } from '../../driver-runtime/driver/netlanes-driver.ts';
import { HostStack } from '../../driver-runtime/stack/host-stack.ts';
import { LinkPartner } from '../../driver-runtime/peer/link-partner.ts';
import { appConfigsFromScenario } from '../../driver-runtime/stack/scenario.ts';
import { scenario } from './helpers.ts';

describe('driver lifecycle loop', () => {
  it('start → enable → traffic → disable → stop, 1000 times, leaks nothing', () => {
    const scheduler = new Scheduler();
    const memory = new HostMemory({ size: 32 * 1024 * 1024 });
    const runtime = createRuntime(scheduler, memory);
    const sc = scenario('home-office');
    const apps = appConfigsFromScenario(sc);
    withRuntime(runtime, () => {
      const nic = new SimNic({ mac: Uint8Array.of(0x3c, 0x22, 0xfb, 0, 0, 1), linkSpeed: '1g' });
      const pci = IOPCIDevice.createFor(runtime, nic);
      nic.setLink(true, '1g');
      const baseObjects = liveObjectCount(runtime);
      const baseAllocations = memory.allocationCount;
      let wireFrames = 0;
      for (let i = 0; i < 1000; i++) {
        const driver = new NetLanesDriver({
          poolPackets: 2048,
          txRingSize: 64,
          rxRingSize: 64,
          rxSubmissionCapacity: 256,
        });
        expect(driver.Start(pci)).toBe(0);
        expect(driver.SetInterfaceEnable(true)).toBe(0);
        const partner = new LinkPartner({ scheduler, linkBps: 1e9, mac: sc.peer.mac, ip: sc.peer.ip, nic });
        nic.connectWire(partner);
        const stack = new HostStack({
          iface: driver,
          hostIp: sc.host.ip,
          peerIp: sc.peer.ip,
          apps,
          seed: i + 1,
          flowSource: partner,
        });
        stack.start();
        scheduler.runUntil(scheduler.now + 1e6);
        stack.stop();
        scheduler.runUntil(scheduler.now + 2e6);
        wireFrames += partner.counters.fromNicFrames;
        stack.detach();
        nic.connectWire(null);
        expect(driver.SetInterfaceEnable(false)).toBe(0);
        stack.reclaimQueues();
        expect(driver.packetPool!.inUse).toBe(0);
        expect(driver.Stop(pci)).toBe(0);
        driver.release();
        scheduler.runUntil(scheduler.now + 50e3); // the frame on the wire and the last EITR tick finish
        expect(liveObjectCount(runtime)).toBe(baseObjects);
        expect(memory.allocationCount).toBe(baseAllocations);
        expect(scheduler.describePending()).toEqual([]);
        // The next Start finds the PCI device free (Stop closed it).
        expect(pci.isOpen).toBe(false);
      }
      expect(wireFrames).toBeGreaterThan(1000 * 10);
      pci.release();
      expect(liveObjectCount(runtime)).toBe(0);
    });
  });
});
