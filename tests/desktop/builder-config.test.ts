/**
 * electron-builder.yml against electron-builder's own JSON schema (app-builder-lib/scheme.json),
 * offline, and the packaging decisions the app depends on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('a wrong key is caught by the same check (the check can fail)', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate({ ...config, mac: { ...(config.mac as object), hardenedRuntme: true } })).toBe(false);
  });

  it('ships the targets and the native-addon plan the app needs', () => {
    expect(config).toMatchObject({
      appId: 'app.netlanes.desktop',
      productName: 'NetLanes',
      mac: { target: ['dmg', 'zip'], hardenedRuntime: true },
      win: { target: ['nsis'] },
      linux: { target: ['AppImage', 'deb'] },
      npmRebuild: false,
      extraResources: [{ from: 'native', to: 'native' }],
    });
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });
});
