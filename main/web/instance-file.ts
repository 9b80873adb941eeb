/**
 * Where a running instance says how to reach it: its port and its per-launch token, in a file
 * only the user can read (a directory of mode 0700, the file 0600). The command-line client
 * reads it; nothing else ever sees the token. NETLANES_RUNTIME_DIR moves it (tests).
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface InstanceInfo {
  port: number;
  token: string;
  pid: number;
  url: string;
}

export function runtimeDir(): string {
  return process.env.NETLANES_RUNTIME_DIR ?? path.join(homedir(), '.netlanes');
}

export function instanceFile(): string {
  return path.join(runtimeDir(), 'instance.json');
}

export function writeInstance(info: InstanceInfo): void {
  const dir = runtimeDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(instanceFile(), JSON.stringify(info), { mode: 0o600 });
  chmodSync(instanceFile(), 0o600);
}

/** The running instance, or an error saying why it cannot be reached. */
export function readInstance(): InstanceInfo {
  let text: string;
  try {
    text = readFileSync(instanceFile(), 'utf8');
  } catch {
    throw new Error(
      `no running NetLanes instance (${instanceFile()} is missing): start one with npm start or npm run start:web`,
    );
  }
  const info = JSON.parse(text) as InstanceInfo;
  if (!Number.isInteger(info.port) || typeof info.token !== 'string')
    throw new Error(`${instanceFile()}: malformed`);
  return info;
}

export function removeInstance(): void {
  rmSync(instanceFile(), { force: true });
}
