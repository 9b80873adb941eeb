/**
 * The driver's events, kept in the store's event log: link changes and the driver's reactions
 * to faults (hangs, resets, DMA errors, removal…), heard as async completions of Subscribe on a
 * user client, as any client would hear them.
 */
import { DRIVER_EVENT_CODES, EventKind } from '../../driver-runtime/abi/netlanes-abi.ts';
import type { EventLog } from './event-log.ts';

/** Driver events that are the app's own doing or routine: not worth a row. */
const QUIET = new Set(['rules-applied', 'link-up', 'link-down']);

export function driverEventLogger(events: EventLog): (args: readonly number[]) => void {
  return (args) => {
    try {
      if (args[0] === EventKind.Link)
        events.append('link', args[1] === 1 ? `link up, ${args[2]} Mb/s full duplex` : 'link down');
      else if (args[0] === EventKind.Driver) {
        const name = DRIVER_EVENT_CODES[args[1]] ?? `event ${args[1]}`;
        if (!QUIET.has(name)) events.append('fault', `driver: ${name}`, undefined, { sequence: args[2] });
      }
    } catch {
      /* a full disk: the event is lost, the app goes on */
    }
  };
}
