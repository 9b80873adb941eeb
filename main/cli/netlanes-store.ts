/**
 * The command-line client's store commands: profiles, pause, rules import and export, events
 * and usage — app requests on the same protocol, answered from the running instance's database.
 */
import { readFile } from 'node:fs/promises';
import type { IOKitClient } from '../../ipc/iokit-client.ts';
import type { ProfileSummary } from '../store/rule-store.ts';
import type { StoredEvent } from '../store/event-log.ts';
import type { DayTotal } from '../store/store.ts';

export const STORE_COMMANDS = new Set([
  'profiles',
  'profile',
  'pause',
  'resume',
  'export',
  'import',
  'events',
  'usage',
]);

export const STORE_HELP = `  profiles                       the rule profiles; the active one is marked *
  profile <name>                 switch to another profile (one driver update)
  pause | resume                 pause every rule (apps take their service class's lane), or resume
  export                         every profile's rules as a rules file, on standard output
  import <file>                  import a rules file: all of it or, if anything is wrong, nothing
  events [N]                     the last N events (default 20): link, faults, rules, budgets
  usage [--since 24h]            bytes sent and received per app since then (h or d)`;

export class StoreUsageError extends Error {}

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** "24h", "7d", "90m" → seconds. */
export function parseSince(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text);
  if (!m) throw new StoreUsageError(`--since ${text}: a span such as 90m, 24h or 7d`);
  return Number(m[1]) * { m: 60, h: 3600, d: 86_400 }[m[2] as 'm' | 'h' | 'd'];
}

export async function runStoreCommand(
  io: IOKitClient,
  command: string,
  rest: string[],
  since = '24h',
): Promise<string> {
  switch (command) {
    case 'profiles': {
      const { profiles, paused } = (await io.appRequest('profiles', undefined)) as {
        profiles: ProfileSummary[];
        paused: boolean;
      };
      return [
        ...profiles.map((p) => `${p.active ? '*' : ' '} ${p.name}  (${p.ruleCount} rules)`),
        ...(paused ? ['all rules paused (npm run netlanes -- resume)'] : []),
      ].join('\n');
    }
    case 'profile': {
      if (rest.length !== 1) throw new StoreUsageError('profile <name>: name one profile');
      const p = (await io.appRequest('switchProfile', { name: rest[0] })) as ProfileSummary;
      return `profile ${p.name} is active (${p.ruleCount} rules)`;
    }
    case 'pause':
    case 'resume':
      await io.appRequest('pause', { paused: command === 'pause' });
      return command === 'pause' ? 'all rules paused' : 'rules resumed';
    case 'export':
      return JSON.stringify(await io.appRequest('exportRules', undefined), null, 2);
    case 'import': {
      if (rest.length !== 1) throw new StoreUsageError('import <file>: name one rules file');
      let text: string;
      try {
        text = await readFile(rest[0], 'utf8');
      } catch (e) {
        throw new StoreUsageError(
          `import: cannot read ${rest[0]}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      const r = (await io.appRequest('importRules', { document: text })) as {
        profiles: number;
        rules: number;
        active: string;
      };
      return `imported ${r.rules} rules in ${r.profiles} profiles; active: ${r.active}`;
    }
    case 'events': {
      const n = rest[0] === undefined ? 20 : Number(rest[0]);
      if (!Number.isInteger(n) || n < 1 || n > 1000)
        throw new StoreUsageError(`events ${rest[0]}: a count 1..1000`);
      const events = (await io.appRequest('events', { limit: n })) as StoredEvent[];
      return events
        .reverse()
        .map(
          (e) =>
            `${new Date(e.at).toISOString().replace('T', ' ').slice(0, 19)}  ${e.kind.padEnd(7)} ${e.message}`,
        )
        .join('\n');
    }
    case 'usage': {
      const to = Math.floor(Date.now() / 1000) + 1;
      const days = (await io.appRequest('dailyTotals', { from: to - parseSince(since), to })) as DayTotal[];
      const byApp = new Map<string, { tx: number; rx: number }>();
      for (const d of days) {
        const t = byApp.get(d.name) ?? { tx: 0, rx: 0 };
        t.tx += d.txBytes;
        t.rx += d.rxBytes;
        byApp.set(d.name, t);
      }
      const rows = [...byApp].sort((a, b) => b[1].tx + b[1].rx - (a[1].tx + a[1].rx));
      if (rows.length === 0) return `no traffic recorded in the last ${since}`;
      const width = Math.max(3, ...rows.map(([name]) => name.length));
      return [
        `${'app'.padEnd(width)}  ${'sent'.padStart(9)}  ${'received'.padStart(9)}   (last ${since})`,
        ...rows.map(
          ([name, t]) => `${name.padEnd(width)}  ${bytes(t.tx).padStart(9)}  ${bytes(t.rx).padStart(9)}`,
        ),
      ].join('\n');
    }
    default:
      throw new StoreUsageError(`unknown command "${command}"`);
  }
}
