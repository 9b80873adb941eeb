/**
 * The app icon (build/icon.png, 512×512) drawn from the lane bars, written as a PNG by hand
 * (zlib, and the FCS's CRC-32 — the same one PNG uses): `npm run dist` makes it when missing, so no binary asset lives in the repo.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { laneIconBitmap } from '../desktop/lane-icon.ts';
import { crc32 } from '../../driver-runtime/net/crc32.ts';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, 0, body.length)); // PNG's CRC is Ethernet's FCS CRC-32
  return Buffer.concat([length, body, crc]);
}

/** A PNG (8-bit RGBA) of the lane icon at `size`. */
export function laneIconPng(size: number): Buffer {
  const bgra = laneIconBitmap(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = bgra[i + 2];
      raw[o + 1] = bgra[i + 1];
      raw[o + 2] = bgra[i];
      raw[o + 3] = bgra[i + 3];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function writeAppIcon(root: string): string {
  const file = path.join(root, 'build', 'icon.png');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, laneIconPng(512));
  return file;
}
