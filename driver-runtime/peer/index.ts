/** Public API of the link partner: the host at the far end of the wire, and the wire tap. */
export { LinkPartner, PartnerCounters, type LinkPartnerOptions } from './link-partner.ts';
export { WireTap } from './wire-tap.ts';
