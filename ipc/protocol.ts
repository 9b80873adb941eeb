/**
 * The one protocol between NetLanes clients (the renderer, the command-line client, tests)
 * and the main side's broker: IOKit's user-client calls as messages. Requests carry an id
 * the response echoes; events come unasked. Kinds sit in disjoint ranges, as VS Code's IPC
 * keeps them: requests 100+, responses 200+, events 300+. Every carrier moves these same
 * messages — as objects where the carrier clones structures (MessagePorts, workers), as
 * msgpack bytes where it moves bytes (WebSocket).
 */

export const PROTOCOL_VERSION = 1;

export const Kind = {
  // requests
  Hello: 100,
  Match: 101,
  Open: 102,
  Close: 103,
  Call: 104,
  Map: 105,
  Unmap: 106,
  Registry: 107,
  App: 108,
  MapWrite: 109,
  // responses
  Result: 200,
  Failure: 201,
  // events
  AsyncCompletion: 300,
  MappingUpdate: 301,
  Terminated: 302,
  Restarted: 303,
  Progress: 304,
} as const;

/** The matching dictionary of IOServiceGetMatchingService. */
export interface MatchingSpec {
  name?: string;
  className?: string;
}

export type Request =
  | { kind: typeof Kind.Hello; id: number; version: number; client: string }
  | { kind: typeof Kind.Match; id: number; matching: MatchingSpec }
  | { kind: typeof Kind.Open; id: number; service: number; type: number }
  | { kind: typeof Kind.Close; id: number; connection: number }
  | {
      kind: typeof Kind.Call;
      id: number;
      connection: number;
      selector: number;
      scalarInput: number[];
      structInput: Uint8Array | null;
      /** A raw caller's choice to send even a small struct out-of-line (the kernel refuses it). */
      structInputOutOfLine?: boolean;
      scalarOutputCount: number;
      structOutputSize: number;
      /** For async calls: the reference array; slot 0 is the system's. */
      asyncReference?: number[];
    }
  | { kind: typeof Kind.Map; id: number; connection: number; memoryType: number }
  | { kind: typeof Kind.Unmap; id: number; connection: number; memoryType: number }
  | { kind: typeof Kind.Registry; id: number }
  | { kind: typeof Kind.App; id: number; op: string; args: unknown }
  /** Writes into a read-write mapping (the replica cannot share memory with the broker). */
  | {
      kind: typeof Kind.MapWrite;
      id: number;
      connection: number;
      memoryType: number;
      offset: number;
      bytes: Uint8Array;
    };

export type Response =
  | { kind: typeof Kind.Result; id: number; value: unknown }
  /** A transport or protocol failure (not an IOReturn: those travel in results). */
  | { kind: typeof Kind.Failure; id: number; name: string; message: string };

export type Event =
  | {
      kind: typeof Kind.AsyncCompletion;
      connection: number;
      reference: number[];
      status: number;
      args: number[];
    }
  /**
   * A mapping's replica moved to `generation`: `ranges` are [offset, bytes] pairs to copy in
   * (the whole region on the first update), applied together.
   */
  | {
      kind: typeof Kind.MappingUpdate;
      connection: number;
      memoryType: number;
      generation: number;
      length: number;
      ranges: [number, Uint8Array][];
    }
  | { kind: typeof Kind.Terminated; connection: number }
  | { kind: typeof Kind.Restarted }
  | { kind: typeof Kind.Progress; id: number; fraction: number };

export type Message = Request | Response | Event;

/** What a Call returns: the IOReturn, the scalars and the struct that came back. */
export interface CallValue {
  ret: number;
  scalarOutput: number[];
  structOutput: Uint8Array | null;
}

/** What a Map returns: the IOReturn and the replica's size and access. */
export interface MapValue {
  ret: number;
  length: number;
  readOnly: boolean;
}

export function isRequest(m: Message): m is Request {
  return m.kind >= 100 && m.kind < 200;
}

export function isResponse(m: Message): m is Response {
  return m.kind >= 200 && m.kind < 300;
}

/** The largest message a byte carrier accepts (OURS: 32 MiB, above the largest call). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
