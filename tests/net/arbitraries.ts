/** fast-check generators for frame specs shared by the builder, template and parser tests. */
import fc from 'fast-check';
import type {
  IcmpEchoFrameSpec,
  Ipv4Spec,
  TcpFrameSpec,
  UdpFrameSpec,
  VlanSpec,
} from '../../driver-runtime/net/index.ts';

export const macArb = fc.integer({ min: 0, max: 0xffff_ffff_ffff });
export const ipArb = fc.nat(0xffffffff);
export const portArb = fc.nat(0xffff);
export const u32Arb = fc.nat(0xffffffff);

export const vlanArb: fc.Arbitrary<VlanSpec | null> = fc.option(
  fc.record({ pcp: fc.nat(7), dei: fc.boolean(), vid: fc.nat(0xfff) }),
  { nil: null },
);

const ipv4Fields = {
  dstMac: macArb,
  srcMac: macArb,
  vlan: vlanArb,
  srcIp: ipArb,
  dstIp: ipArb,
  ipId: fc.nat(0xffff),
  ttl: fc.integer({ min: 1, max: 255 }),
  dscp: fc.nat(63),
  dontFragment: fc.boolean(),
};

export const ipv4SpecArb: fc.Arbitrary<Ipv4Spec> = fc.record(ipv4Fields);

const payloadFields = {
  payloadLength: fc.oneof(fc.nat(64), fc.nat(1472)),
  payload: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
};

export const udpSpecArb: fc.Arbitrary<UdpFrameSpec> = fc.record({
  ...ipv4Fields,
  ...payloadFields,
  srcPort: portArb,
  dstPort: portArb,
});

export const tcpSpecArb: fc.Arbitrary<TcpFrameSpec> = fc.record({
  ...ipv4Fields,
  ...payloadFields,
  srcPort: portArb,
  dstPort: portArb,
  seq: u32Arb,
  ack: u32Arb,
  flags: fc.nat(0xff),
  window: fc.nat(0xffff),
});

export const icmpEchoSpecArb: fc.Arbitrary<IcmpEchoFrameSpec> = fc.record({
  ...ipv4Fields,
  ...payloadFields,
  type: fc.constantFrom(0, 8),
  id: fc.nat(0xffff),
  seq: fc.nat(0xffff),
});
