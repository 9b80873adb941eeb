/** Fault modes (nic-model §6.7) and link behaviour. */
import { describe, expect, it } from 'vitest';
import * as R from '../../driver-runtime/device/registers.ts';
import { MAC, makeFrame, Rig } from './fixture.ts';

function expectDmaError(rig: Rig, q: number): void {
  expect(rig.read(R.TXDCTL(q)) & R.TXDCTL_ENABLE).toBe(0);
  expect(rig.nic.core.tx.dmaErrors[q]).toBe(1);
  expect(rig.vectors()).toContain(R.OTHER_VECTOR);
  expect(rig.read(R.ICR) & R.ICR_DOUTSYNC).toBe(R.ICR_DOUTSYNC);
  expect(rig.tracer.find(/DMA error/).length).toBeGreaterThan(0);
}

describe('Tx DMA error faults', () => {
  it('buffer address outside host memory', () => {
    const rig = new Rig().startHw();
    rig.send(1, makeFrame(64), { badAddress: 0x10 });
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(0);
    expectDmaError(rig, 1);
  });

  it('descriptor length above 9728 bytes', () => {
    const rig = new Rig().startHw();
    rig.send(0, makeFrame(64), { lengthOverride: 9729 });
    rig.runIdle();
    expectDmaError(rig, 0);
  });

  it('packet not ended within the ring', () => {
    const rig = new Rig({ txRingSize: 8 }).startHw();
    for (let k = 0; k < 7; k++) rig.txPush(2, makeFrame(64), { eop: false });
    rig.doorbell(2);
    rig.runIdle();
    expectDmaError(rig, 2);
  });

  it('TDT beyond the ring', () => {
    const rig = new Rig({ txRingSize: 16 }).startHw();
    rig.write(R.TDT(0), 16);
    rig.runIdle();
    expectDmaError(rig, 0);
  });

  it('injectDmaErrorOnNextTx faults only the named queue; others keep sending', () => {
    const rig = new Rig().startHw();
    rig.nic.faults.injectDmaErrorOnNextTx(3);
    rig.send(3, makeFrame(64));
    rig.send(0, makeFrame(64));
    rig.runIdle();
    expectDmaError(rig, 3);
    expect(rig.peer.frames.map((f) => f.queue)).toEqual([0]);
  });

  it('the driver can re-enable the queue after a fault and send again', () => {
    const rig = new Rig().startHw();
    rig.send(0, makeFrame(64), { badAddress: 0x10 });
    rig.runIdle();
    rig.setupTxRing(0);
    rig.send(0, makeFrame(64));
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(1);
  });
});

describe('surprise removal', () => {
  it('reads return all-ones, writes are dropped, no DMA, no interrupts, frame in flight abandoned', () => {
    const rig = new Rig({ linkSpeed: '1g' }).startHw();
    rig.send(0, makeFrame(1514));
    rig.run(100);
    rig.nic.faults.surpriseRemove();
    expect(rig.nic.removed).toBe(true);
    expect(rig.read(R.STATUS)).toBe(0xffffffff);
    expect(rig.read(R.TDH(0))).toBe(0xffffffff);
    rig.send(0, makeFrame(64));
    rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(0);
    expect(rig.bus.msix).toHaveLength(0);
    expect(rig.rxDescriptor(0, 0).status).toBe(0);
  });
});

describe('link and flow control', () => {
  it('link down stops Tx (queues fill), LSC fires; link up drains', () => {
    const rig = new Rig().startHw();
    rig.nic.setLink(false);
    expect(rig.read(R.STATUS) & R.STATUS_LU).toBe(0);
    rig.send(0, makeFrame(64));
    rig.send(0, makeFrame(64));
    rig.run(1_000_000);
    expect(rig.peer.frames).toHaveLength(0);
    expect(rig.read(R.TDH(0))).toBe(0);
    rig.nic.setLink(true);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(2);
    expect(rig.vectors().filter((v) => v === R.OTHER_VECTOR)).toHaveLength(2);
  });

  it('XOFF pause: STATUS.TXOFF, Tx stalls, XOFFRXC counts; XON resumes', () => {
    const rig = new Rig().startHw();
    rig.nic.faults.setPause(true);
    expect(rig.read(R.STATUS) & R.STATUS_TXOFF).toBe(R.STATUS_TXOFF);
    rig.send(0, makeFrame(64));
    rig.run(100_000);
    expect(rig.peer.frames).toHaveLength(0);
    expect(rig.read(R.XOFFRXC)).toBe(1);
    rig.nic.faults.setPause(false);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(1);
    expect(rig.read(R.STATUS) & R.STATUS_TXOFF).toBe(0);
  });

  it('a hung queue stops advancing TDH while other queues and STATUS.TXOFF are unaffected', () => {
    const rig = new Rig().startHw();
    rig.nic.faults.hangTxQueue(1, true);
    rig.send(1, makeFrame(64));
    rig.send(2, makeFrame(64));
    rig.run(100_000);
    expect(rig.read(R.TDH(1))).toBe(0);
    expect(rig.read(R.TDT(1))).toBe(1);
    expect(rig.read(R.TDH(2))).toBe(1);
    expect(rig.read(R.STATUS) & R.STATUS_TXOFF).toBe(0);
    rig.nic.faults.hangTxQueue(1, false);
    rig.runIdle();
    expect(rig.read(R.TDH(1))).toBe(1);
  });

  it('overrunRx drops every frame as an overrun', () => {
    const rig = new Rig().startHw();
    rig.nic.faults.overrunRx(true);
    rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    expect(rig.read(R.MPC)).toBe(1);
    expect(rig.read(R.ICR) & R.ICR_RXO).toBe(R.ICR_RXO);
    rig.nic.faults.overrunRx(false);
    rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    expect(rig.read(R.RDH(0))).toBe(1);
  });

  it('no DMA without bus mastering', () => {
    const rig = new Rig().startHw();
    rig.bus.busMaster = false;
    rig.send(0, makeFrame(64));
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(0);
    rig.bus.busMaster = true;
    rig.doorbell(0);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(1);
  });
});

describe('loopback between two NICs', () => {
  it('frames from one NIC arrive in the other via the wire API', () => {
    const a = new Rig().startHw();
    const b = new Rig().startHw();
    a.nic.connectWire({
      frameFromNic: (frame, offset, length) => b.nic.receiveFromWire(frame, offset, length),
    });
    const frame = makeFrame(300, MAC);
    a.send(0, frame);
    a.runIdle();
    expect(Array.from(b.rxData(0, 0, 300))).toEqual(Array.from(frame));
  });
});
