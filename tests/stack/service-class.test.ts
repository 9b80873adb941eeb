import { describe, expect, it } from 'vitest';
import { SERVICE_CLASS_NAMES } from '../../driver-runtime/networking/constants.ts';
import {
  SERVICE_CLASS_KEYS,
  SERVICE_CLASS_VALUE,
  serviceClassDscp,
  serviceClassName,
} from '../../driver-runtime/stack/service-class.ts';

describe('stack service classes', () => {
  it('name exactly the classes of networking/constants.ts, in its order', () => {
    expect([...SERVICE_CLASS_KEYS]).toEqual(Object.keys(SERVICE_CLASS_NAMES));
    for (const k of SERVICE_CLASS_KEYS) expect(SERVICE_CLASS_VALUE[k]).toBe(SERVICE_CLASS_NAMES[k]);
  });

  it('map values back to names (unknown → BE) and to their DSCP marks', () => {
    expect(SERVICE_CLASS_KEYS.map((k) => serviceClassName(SERVICE_CLASS_VALUE[k]))).toEqual([
      ...SERVICE_CLASS_KEYS,
    ]);
    expect(serviceClassName(123)).toBe('BE');
    expect(SERVICE_CLASS_KEYS.map((k) => serviceClassDscp(SERVICE_CLASS_VALUE[k]))).toEqual([
      8, 8, 0, 18, 16, 26, 32, 34, 40, 46, 48,
    ]);
    expect(serviceClassDscp(123)).toBe(0);
  });
});
