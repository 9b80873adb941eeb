/**
 * Every request the broker receives is checked against this before anything acts on it: a
 * renderer or a socket may send anything. Numbers are checked only for type here — ranges are
 * the kernel's to answer with an IOReturn, as the real one does.
 */
import { z } from 'zod';
import { Kind, type Request } from './protocol.ts';

const id = z.number().int().nonnegative();
const num = z.number();
const bytes = z.instanceof(Uint8Array);

const requestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(Kind.Hello), id, version: num, client: z.string().max(200) }),
  z.object({
    kind: z.literal(Kind.Match),
    id,
    matching: z.object({ name: z.string().max(256).optional(), className: z.string().max(256).optional() }),
  }),
  z.object({ kind: z.literal(Kind.Open), id, service: num, type: num }),
  z.object({ kind: z.literal(Kind.Close), id, connection: num }),
  z.object({
    kind: z.literal(Kind.Call),
    id,
    connection: num,
    selector: num,
    scalarInput: z.array(num).max(64),
    structInput: bytes.nullable(),
    structInputOutOfLine: z.boolean().optional(),
    scalarOutputCount: num,
    structOutputSize: num,
    asyncReference: z.array(num).max(64).optional(),
  }),
  z.object({ kind: z.literal(Kind.Map), id, connection: num, memoryType: num }),
  z.object({ kind: z.literal(Kind.Unmap), id, connection: num, memoryType: num }),
  z.object({ kind: z.literal(Kind.Registry), id }),
  z.object({ kind: z.literal(Kind.App), id, op: z.string().max(64), args: z.unknown() }),
  z.object({ kind: z.literal(Kind.MapWrite), id, connection: num, memoryType: num, offset: num, bytes }),
]);

/** The request, or null with what is wrong. */
export function parseRequest(value: unknown): { request: Request } | { error: string; id: number } {
  const r = requestSchema.safeParse(value);
  if (r.success) return { request: r.data as Request };
  const maybeId = (value as { id?: unknown } | null)?.id;
  const issue = r.error.issues[0];
  return {
    error: `malformed request: ${issue.path.join('.') || 'message'}: ${issue.message}`,
    id: typeof maybeId === 'number' && Number.isInteger(maybeId) && maybeId >= 0 ? maybeId : 0,
  };
}
