import { describe, expect, it } from 'vitest';
import * as R from '../../driver-runtime/device/registers.ts';
import { makeFrame, Rig } from './fixture.ts';

describe('Tx path (qtest style)', () => {
  it('sends one advanced descriptor: DD, TDH, wire bytes, MSI-X per IVAR', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(64);
    const i = rig.send(0, frame);
    expect(rig.txDescriptor(0, i).d3 & R.TXD_STA_DD).toBe(0);
    rig.run(10_000);
    expect(rig.txDescriptor(0, i).d3 & R.TXD_STA_DD).toBe(R.TXD_STA_DD);
    expect(rig.read(R.TDH(0))).toBe(1);
    expect(rig.peer.frames).toHaveLength(1);
    expect(Array.from(rig.peer.frames[0].bytes)).toEqual(Array.from(frame));
    expect(rig.peer.frames[0].queue).toBe(0);
    expect(rig.vectors()).toEqual([0]);
    expect(rig.read(R.ICR) & R.ICR_TXDW).toBe(R.ICR_TXDW);
  });

  it('routes each Tx queue to the vector IVAR names (odd queue uses bits 31:24)', () => {
    const rig = new Rig().startHw();
    // IVAR1 covers queues 2 and 3: Rx2 7:0, Tx2 15:8, Rx3 23:16, Tx3 31:24. Tx3 -> vector 1.
    const entry = (vector: number): number => vector | R.IVAR_VALID;
    rig.write(R.IVAR(1), entry(2) | (entry(2) << 8) | (entry(3) << 16) | (entry(1) << 24));
    rig.send(3, makeFrame(100));
    rig.run(10_000);
    expect(rig.vectors()).toEqual([1]);
    rig.send(2, makeFrame(100));
    rig.run(10_000);
    expect(rig.vectors()).toEqual([1, 2]);
  });

  it('sends a legacy descriptor and sets STA.DD in byte 12', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(200);
    const i = rig.send(1, frame, { legacy: true });
    rig.run(10_000);
    expect(rig.memory.u8[rig.txRing[1] + i * R.DESCRIPTOR_BYTES + 12] & R.TXD_STA_DD).toBe(R.TXD_STA_DD);
    expect(Array.from(rig.peer.frames[0].bytes)).toEqual(Array.from(frame));
  });

  it('gathers a packet from several descriptors up to EOP; DD only where RS', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(300);
    const eop = rig.send(0, frame, { split: [14, 100, 186] });
    rig.run(10_000);
    expect(eop).toBe(2);
    expect(Array.from(rig.peer.frames[0].bytes)).toEqual(Array.from(frame));
    expect(rig.txDescriptor(0, 0).d3 & R.TXD_STA_DD).toBe(0);
    expect(rig.txDescriptor(0, 2).d3 & R.TXD_STA_DD).toBe(R.TXD_STA_DD);
    expect(rig.read(R.TDH(0))).toBe(3);
  });

  it('waits for EOP: a packet without EOP is not sent until its last descriptor arrives', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(120);
    rig.txPush(0, frame.subarray(0, 60), { eop: false, rs: false });
    rig.doorbell(0);
    rig.run(10_000);
    expect(rig.peer.frames).toHaveLength(0);
    rig.txPush(0, frame.subarray(60));
    rig.doorbell(0);
    rig.run(10_000);
    expect(Array.from(rig.peer.frames[0].bytes)).toEqual(Array.from(frame));
  });

  it('without RS no DD is written back', () => {
    const rig = new Rig().startHw();
    const i = rig.send(0, makeFrame(64), { rs: false });
    rig.run(10_000);
    expect(rig.peer.frames).toHaveLength(1);
    expect(rig.txDescriptor(0, i).d3 & R.TXD_STA_DD).toBe(0);
    expect(rig.read(R.TDH(0))).toBe(1);
  });

  it('inserts an 802.1Q tag (legacy VLE + VLAN field): frame grows by 4', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(100);
    rig.send(0, frame, { legacy: true, vlan: 0xa123 });
    rig.run(10_000);
    const out = rig.peer.frames[0].bytes;
    expect(out.length).toBe(104);
    expect(Array.from(out.subarray(0, 12))).toEqual(Array.from(frame.subarray(0, 12)));
    expect(Array.from(out.subarray(12, 16))).toEqual([0x81, 0x00, 0xa1, 0x23]);
    expect(Array.from(out.subarray(16))).toEqual(Array.from(frame.subarray(12)));
  });

  it('inserts the VLAN of the advanced context descriptor (context stored and skipped)', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(100);
    rig.send(0, frame, { vlan: 0x6005 });
    rig.run(10_000);
    const out = rig.peer.frames[0].bytes;
    expect(Array.from(out.subarray(12, 16))).toEqual([0x81, 0x00, 0x60, 0x05]);
    expect(rig.read(R.TDH(0))).toBe(2);
  });

  it('pads short frames to 60 bytes when TCTL.PSP', () => {
    const rig = new Rig().startHw();
    rig.send(0, makeFrame(42));
    rig.run(10_000);
    const out = rig.peer.frames[0].bytes;
    expect(out.length).toBe(60);
    expect(Array.from(out.subarray(42))).toEqual(new Array(18).fill(0));
    expect(rig.read(R.PTC64)).toBe(1);
  });

  it('TSWB writes the SFD time (integer ns, little-endian) into qword0 of the EOP descriptor', () => {
    const rig = new Rig({ linkSpeed: '2.5g' }).startHw();
    rig.write(R.TXDCTL(0), R.TXDCTL_ENABLE | R.TXDCTL_TSWB);
    rig.run(1234.5);
    const eops: number[] = [];
    for (let k = 0; k < 5; k++) eops.push(rig.txPush(0, makeFrame(60 + k * 3)));
    rig.doorbell(0);
    rig.run(100_000);
    expect(rig.peer.frames).toHaveLength(5);
    eops.forEach((i, k) => {
      const d = rig.txDescriptor(0, i);
      expect(d.d3 & R.TXD_STA_DD).toBe(R.TXD_STA_DD);
      expect(d.hi * 2 ** 32 + d.lo).toBe(Math.round(rig.peer.frames[k].sfd));
    });
    // First frame: starts at the doorbell time, SFD 8 bytes later at 2.5 bit/ns.
    expect(rig.peer.frames[0].sfd).toBeCloseTo(1234.5 + 64 / 2.5, 9);
  });

  it('counts Tx statistics (octets include FCS) and per-queue TQSTAT', () => {
    const rig = new Rig().startHw();
    rig.send(2, makeFrame(100));
    rig.send(2, makeFrame(1514, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
    rig.run(100_000);
    expect(rig.read(R.GPTC)).toBe(2);
    expect(rig.read(R.TPT)).toBe(2);
    expect(rig.read(R.GOTCL)).toBe(104 + 1518);
    expect(rig.read(R.GOTCH)).toBe(0);
    expect(rig.read(R.GOTCL)).toBe(0);
    expect(rig.read(R.BPTC)).toBe(1);
    expect(rig.read(R.PTC64 + 4)).toBe(1); // 65..127
    expect(rig.read(R.PTC64 + 20)).toBe(1); // 1024..1522
    expect(rig.read(R.TQPC(2))).toBe(2);
    expect(rig.read(R.TQBCL(2))).toBe(104 + 1518);
    expect(rig.read(R.TQPC(2))).toBe(0);
  });

  it('does not transmit while TCTL.EN or TXDCTL.ENABLE is clear', () => {
    const rig = new Rig().startHw();
    rig.write(R.TCTL, R.TCTL_PSP);
    rig.send(0, makeFrame(64));
    rig.run(10_000);
    expect(rig.peer.frames).toHaveLength(0);
    rig.write(R.TCTL, R.TCTL_PSP | R.TCTL_EN);
    rig.run(10_000);
    expect(rig.peer.frames).toHaveLength(1);
  });

  it('ignores ring base/length writes while the queue is enabled', () => {
    const rig = new Rig().startHw();
    const len = rig.read(R.TDLEN(0));
    rig.write(R.TDLEN(0), 128);
    expect(rig.read(R.TDLEN(0))).toBe(len);
    expect(rig.tracer.find(/while queue 0 enabled/)).toHaveLength(1);
  });
  it('head write-back (TDWBAL bit 0) stores TDH into host memory', () => {
    const rig = new Rig().startHw();
    const slot = rig.memory.allocate(64, 64);
    rig.write(R.TDWBAL(0), rig.phys(slot) | 1);
    rig.write(R.TDWBAH(0), 0);
    rig.send(0, makeFrame(64));
    rig.send(0, makeFrame(64));
    rig.runIdle();
    expect(rig.memory.view.getUint32(slot, true)).toBe(2);
  });
  it('head write-back over a run of back-to-back frames: memory holds the last head, and a reset mid-run leaves the head it had reached (as frame by frame)', () => {
    const heads = [true, false].map((burst) => {
      const rig = new Rig().startHw();
      rig.nic.core.tx.burst = burst;
      rig.nic.core.tx.runAhead = burst;
      const slot = rig.memory.allocate(64, 64);
      rig.write(R.TDWBAL(0), rig.phys(slot) | 1);
      rig.write(R.TDWBAH(0), 0);
      for (let k = 0; k < 20; k++) rig.txPush(0, makeFrame(64, undefined, k));
      rig.doorbell(0);
      rig.runIdle();
      const whole = rig.memory.view.getUint32(slot, true);
      // A second run, reset by the peer while its 6th frame is on the wire.
      rig.memory.view.setUint32(slot, 0, true);
      const start = rig.read(R.TDH(0));
      for (let k = 0; k < 20; k++) rig.txPush(0, makeFrame(64, undefined, k));
      let seen = 0;
      rig.peer.onFrame = () => {
        if (++seen === 6) rig.write(R.CTRL, R.CTRL_RST);
      };
      rig.doorbell(0);
      rig.runIdle();
      return { whole, start, afterReset: rig.memory.view.getUint32(slot, true) };
    });
    expect(heads[0]).toEqual(heads[1]);
    expect(heads[0].whole).toBe(20);
    expect(heads[0].afterReset).toBe(heads[0].start + 5);
  });

  it('a driver that resets the device from inside the Tx interrupt and restarts does not double-book the wire', () => {
    const rig = new Rig({ linkSpeed: '1g' }).startHw();
    let resets = 0;
    rig.bus.signalMsix = (vector) => {
      rig.bus.msix.push({ vector, time: rig.scheduler.now });
      if (vector !== 0 || resets > 0) return;
      resets++;
      rig.startHw();
      rig.send(0, makeFrame(60));
      rig.send(0, makeFrame(60));
    };
    rig.send(0, makeFrame(60));
    rig.send(0, makeFrame(60));
    rig.runIdle();
    // Frame 1 completes at 672; reset drops frame 2; the two new frames follow back to back.
    expect(rig.peer.frames.map((f) => f.time)).toEqual([672, 1344, 2016]);
    expect(rig.peer.frames.map((f) => f.sfd)).toEqual([64, 672 + 64, 1344 + 64]);
  });
});
