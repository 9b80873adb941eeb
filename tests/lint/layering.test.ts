/** The worlds table is enforced: each forbidden import is reported as "Bad layering". */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'local/layering').map((m) => m.message);
}

describe('layering rule', () => {
  it.each([
    [
      'driver-runtime/sim/x.ts',
      "import { app } from 'electron';\nexport const a = app;\n",
      /may not import "electron"/,
    ],
    ['driver-runtime/sim/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n", /Node built-ins/],
    [
      'driver-runtime/driver/x.ts',
      "import Database from 'better-sqlite3';\nexport const a = Database;\n",
      /better-sqlite3/,
    ],
    [
      'driver-runtime/stack/x.ts',
      "import { x } from '../../main/cli/sim.ts';\nexport const a = x;\n",
      /only driver-runtime/,
    ],
    [
      'renderer/x.ts',
      "import { x } from '../main/cli/sim.ts';\nexport const a = x;\n",
      /only renderer, driver-runtime\/abi/,
    ],
    [
      'renderer/x.ts',
      "import { x } from '../driver-runtime/driver/netlanes-driver.ts';\nexport const a = x;\n",
      /Bad layering/,
    ],
    ['preload/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n", /Node built-ins/],
    ['main/x.ts', "import React from 'react';\nexport const a = React;\n", /react/],
    [
      'main/cli/x.ts',
      "import { app } from 'electron';\nexport const a = app;\n",
      /only main\/electron and preload touch Electron/,
    ],
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await layeringErrors(file, code);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^Bad layering/);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['device', '../pci/io-pci-device.ts', 'only sim, net'],
    ['device', '../kit/tracer.ts', 'only sim, net'],
    ['kit', '../memory/buffer-memory-descriptor.ts', 'only sim'],
    ['sim', '../net/mac.ts', 'only itself'],
    ['stack', '../peer/link-partner.ts', 'driver-runtime/stack may import only'],
    ['peer', '../stack/host-stack.ts', 'only sim, net'],
    ['driver', '../rules/rule-types.ts', 'driver-runtime/driver may import only'],
    ['driver', '../host/machine.ts', 'driver-runtime/driver may import only'],
    ['abi', '../sim/units.ts', 'only itself'],
  ])('driver-runtime/%s may not import %s (floors)', async (floor, spec, message) => {
    const errors = await layeringErrors(
      `driver-runtime/${floor}/x.ts`,
      `import * as m from '${spec}';\nexport const a = m;\n`,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Bad layering/);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['host', '../driver/netlanes-driver.ts'],
    ['driver', '../kit/os-action.ts'],
    ['device', '../net/crc32.ts'],
    ['peer', '../net/wire.ts'],
    ['stack', '../networking/packet-queue.ts'],
  ])('driver-runtime/%s may import %s (floors)', async (floor, spec) => {
    expect(
      await layeringErrors(
        `driver-runtime/${floor}/x.ts`,
        `import * as m from '${spec}';\nexport const a = m;\n`,
      ),
    ).toEqual([]);
  });

  it.each([
    ['driver-runtime/host/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n"],
    ['driver-runtime/stack/x.ts', "import { z } from 'zod';\nexport const a = z;\n"],
    [
      'renderer/x.ts',
      "import { statsLayout } from '../driver-runtime/abi/stats-layout.ts';\nexport const a = statsLayout;\n",
    ],
    ['main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    [
      'tests/x.ts',
      "import { app } from 'electron';\nimport fs from 'node:fs';\nexport const a = [app, fs];\n",
    ],
  ])('%s may import what its row allows', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });
});
