/**
 * The I/O Registry of one simulated machine: services register (IOService::RegisterService)
 * and terminate here, clients match them by name or class (IOServiceNameMatching,
 * IOServiceMatching), and `tree()` gives the provider → client tree `ioreg` prints.
 */
import type { IOService, ServiceRegistryHooks } from '../kit/io-service.ts';

export interface Matching {
  /** IOServiceNameMatching: the name the service gave itself (SetName). */
  name?: string;
  /** IOServiceMatching: its class or any superclass (e.g. IOUserNetworkEthernet). */
  className?: string;
}

/** One node of the registry tree, for `ioreg`-style listings. */
export interface RegistryNode {
  id: number;
  name: string;
  className: string;
  /** The class chain, most derived first. */
  classes: string[];
  state: string;
  properties: Record<string, string | number | boolean>;
  children: RegistryNode[];
}

export class IORegistry implements ServiceRegistryHooks {
  private nextId = 1;
  private readonly ids = new Map<IOService, number>();
  private readonly services = new Map<number, IOService>();
  /** Children known to the registry that are not services registered by themselves (user clients). */
  private readonly attached = new Map<number, Set<number>>();

  /** Adds a service that is not registered by RegisterService (a root, a user client). */
  add(service: IOService, parent: IOService | null = null): number {
    let id = this.ids.get(service);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(service, id);
      this.services.set(id, service);
    }
    if (parent) {
      const pid = this.add(parent);
      let set = this.attached.get(pid);
      if (!set) this.attached.set(pid, (set = new Set()));
      set.add(id);
    }
    return id;
  }

  remove(service: IOService): void {
    const id = this.ids.get(service);
    if (id === undefined) return;
    this.ids.delete(service);
    this.services.delete(id);
    this.attached.delete(id);
    for (const set of this.attached.values()) set.delete(id);
  }

  serviceRegistered(service: IOService): void {
    this.add(service, service.GetProvider());
  }

  serviceTerminated(service: IOService): void {
    this.remove(service);
  }

  idOf(service: IOService): number {
    return this.ids.get(service) ?? 0;
  }

  service(id: number): IOService | null {
    return this.services.get(id) ?? null;
  }

  /** IOServiceGetMatchingService: the first live service that matches, or 0. */
  match(m: Matching): number {
    for (const [id, s] of this.services) {
      if (s.serviceState !== 'registered') continue;
      if (m.name !== undefined && s.GetName() !== m.name) continue;
      if (m.className !== undefined && !classChain(s).includes(m.className)) continue;
      if (m.name === undefined && m.className === undefined) continue;
      return id;
    }
    return 0;
  }

  /** The tree from every root (a service whose provider is not in the registry). */
  tree(): RegistryNode[] {
    const childIds = new Set<number>();
    for (const set of this.attached.values()) for (const id of set) childIds.add(id);
    const node = (id: number): RegistryNode => {
      const s = this.services.get(id)!;
      const classes = classChain(s);
      const properties: Record<string, string | number | boolean> = {};
      for (const [k, v] of s.properties)
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') properties[k] = v;
      return {
        id,
        name: s.GetName(),
        className: classes[0],
        classes,
        state: s.serviceState,
        properties,
        children: [...(this.attached.get(id) ?? [])].filter((c) => this.services.has(c)).map(node),
      };
    };
    return [...this.services.keys()].filter((id) => !childIds.has(id)).map(node);
  }
}

/** The class names of an object, most derived first, up to IOService. */
export function classChain(service: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(service); p && p.constructor !== Object; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor.name);
    if (p.constructor.name === 'OSObject') break;
  }
  return names;
}
