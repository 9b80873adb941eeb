/**
 * `npm run netlanes` against a running instance (the app core and its web server, in this
 * process): it finds the instance from the file only its user can read, speaks the one
 * protocol over the WebSocket, and answers every command in the vocabulary of ifconfig,
 * netstat and ioreg. Bad usage exits 2, a refusal or no instance exits 1 — with the reason.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppCore } from '../../main/app-core.ts';
import { WebServer } from '../../main/web/web-server.ts';
import { instanceFile, removeInstance, writeInstance } from '../../main/web/instance-file.ts';
import { runNetlanes } from '../../main/cli/netlanes.ts';
import { scenario } from '../machine/helpers.ts';

let core: AppCore;
let server: WebServer;
const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-cli-'));
const previous = process.env.NETLANES_RUNTIME_DIR;

beforeAll(async () => {
  process.env.NETLANES_RUNTIME_DIR = path.join(dir, 'run');
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
  core = await AppCore.start({
    scenario: scenario('home-office'),
    scenarios: { contention: scenario('contention') },
    worker: false,
    store: { file: path.join(dir, 'netlanes.db') },
  });
  server = new WebServer(core, { staticDir: dir });
  const url = await server.listen();
  writeInstance({ port: server.port, token: server.token, pid: process.pid, url });
  // Let traffic flow and the agent see the apps.
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(async () => {
  removeInstance();
  await server.close();
  await core.dispose();
  if (previous === undefined) delete process.env.NETLANES_RUNTIME_DIR;
  else process.env.NETLANES_RUNTIME_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one command line; returns its exit status and what it printed. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const status = await runNetlanes(argv);
    return { status, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('npm run netlanes against a running instance', () => {
  it('keeps the token in a file only its user can read', () => {
    expect(statSync(instanceFile()).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(instanceFile())).mode & 0o777).toBe(0o700);
  });

  it('status prints the interface as ifconfig does, with the driver and its flow table', async () => {
    const r = await cli('status');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^en0: flags=<UP,RUNNING> mtu 1500/);
    expect(r.out).toMatch(/media: autoselect \(1000baseT <full-duplex>\)/);
    expect(r.out).toMatch(/flows \d+\/4096/);
  });

  it('apps, flows, stats, diagnose and ioreg answer from the driver and the agent', async () => {
    const apps = await cli('apps');
    expect(apps.status).toBe(0);
    expect(apps.out).toContain('FaceTime');
    const flows = await cli('flows');
    expect(flows.out).toMatch(/FaceTime/);
    const stats = await cli('stats');
    expect(stats.out).toMatch(/Queue|queue/);
    const diagnose = await cli('diagnose');
    expect(diagnose.status).toBe(0);
    const ioreg = await cli('ioreg');
    expect(ioreg.out).toMatch(/NetLanesDriver/);
    expect(ioreg.out).toMatch(/NetLanesLab/);
  });

  it('set gives an app a lane; the agent’s rules and the database hold it', async () => {
    const r = await cli('set', 'FaceTime', 'highest', '--cap', '100M');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/FaceTime → highest \(capped at 100/);
    const rule = core.agent.currentRules.rules.find((x) => x.match.bundleId === 'com.apple.FaceTime');
    expect(rule).toMatchObject({ priority: 'highest', capBps: 100e6 });
    expect(core.store?.rules.rules().rules).toContainEqual(
      expect.objectContaining({ priority: 'highest', capBps: 100e6 }),
    );
    const unknown = await cli('set', 'NoSuchApp', 'low');
    expect(unknown.status).toBe(1);
    expect(unknown.err).toMatch(/no app "NoSuchApp"/);
  });

  it('profiles, switching, pause, export and import, events and usage answer from the database', async () => {
    await cli('set', 'Safari', 'low');
    const profiles = await cli('profiles');
    expect(profiles.out + profiles.err).toMatch(/^\* Default {2}\(\d+ rules\)$/m);
    const exported = await cli('export');
    expect(exported.status).toBe(0);
    const doc = JSON.parse(exported.out) as { profiles: { name: string; rules: unknown[] }[] };
    doc.profiles.push({ name: 'Calls', rules: [] });
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify(doc));
    expect((await cli('import', file)).out).toMatch(/^imported \d+ rules in 2 profiles; active: Default$/);
    expect((await cli('profile', 'Calls')).out).toBe('profile Calls is active (0 rules)');
    expect(core.agent.currentRules.rules).toEqual([]);
    expect((await cli('profile', 'Default')).status).toBe(0);
    expect((await cli('pause')).out).toBe('all rules paused');
    expect((await cli('profiles')).out).toMatch(/all rules paused/);
    expect((await cli('resume')).out).toBe('rules resumed');
    const events = await cli('events', '5');
    expect(events.out).toMatch(/rules {3}rules resumed$/m);
    expect(events.out).toMatch(/profile "Calls" → "Default"/);
    core.recorder?.sample(Date.now());
    expect((await cli('usage', '--since', '1h')).out).toMatch(/^app +sent +received/);

    writeFileSync(
      file,
      '{"format":"netlanes-rules","version":1,"profiles":[{"name":"X","rules":[{"id":"a"}]}]}',
    );
    const refused = await cli('import', file);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(/refused, nothing changed/);
    expect(refused.err).toMatch(/profiles\[0\] "X": rule "a" \(rules\[0\]\)\.match/);
    expect((await cli('profile', 'Nope')).err).toMatch(/no profile named "Nope"/);
    expect((await cli('usage', '--since', 'forever')).status).toBe(2);
    expect((await cli('import', path.join(dir, 'missing.json'))).status).toBe(2);
  });

  it('the lab: status, a fault, a link speed', async () => {
    const lab = await cli('lab');
    expect(lab.out).toMatch(/workload: +home-office/);
    const fault = await cli('fault', 'link-flap@0ms+50ms');
    expect(fault.status).toBe(0);
    expect(fault.out).toMatch(/injected link-flap@0ms\+50ms at virtual/);
    const bad = await cli('fault', 'melt@1s');
    expect(bad.status).toBe(1);
    expect((await cli('link', '5g')).status).toBe(2);
  });

  it('bad usage exits 2 and says why', async () => {
    expect((await cli('frobnicate')).err).toMatch(/unknown command "frobnicate"/);
    expect((await cli('frobnicate')).status).toBe(2);
    expect((await cli('set', 'FaceTime', 'fastest')).status).toBe(2);
    expect((await cli('set', 'FaceTime', 'high', '--cap', 'lots')).err).toMatch(/--cap lots/);
    expect((await cli('--nope')).status).toBe(2);
    expect((await cli('--help')).status).toBe(0);
  });

  it('with no instance running it exits 1 and says how to start one', async () => {
    const here = process.env.NETLANES_RUNTIME_DIR;
    process.env.NETLANES_RUNTIME_DIR = path.join(dir, 'nowhere');
    try {
      const r = await cli('status');
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/no running NetLanes instance .* npm start or npm run start:web/);
    } finally {
      process.env.NETLANES_RUNTIME_DIR = here;
    }
  });
});
