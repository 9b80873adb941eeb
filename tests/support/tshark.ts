import { spawnSync } from 'node:child_process';

/** Whether Wireshark's tshark is installed (`.ci/run` installs it; dev boxes may not). */
export const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Dissects a capture with checksum validation on and returns the requested fields, one
 * array per frame, first occurrence of each (`_ws.malformed` etc. work as field names).
 */
export function tsharkFields(file: string, fields: string[]): string[][] {
  const args = [
    '-r',
    file,
    '-o',
    'ip.check_checksum:TRUE',
    '-o',
    'udp.check_checksum:TRUE',
    '-o',
    'tcp.check_checksum:TRUE',
  ];
  args.push('-T', 'fields', '-E', 'occurrence=f');
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  // No trim: a frame whose first fields are empty starts with tabs.
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}
