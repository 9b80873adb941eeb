import { IODispatchQueue } from './dispatch-queue.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotFound,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from './io-return.ts';
import { OSObject, type Out } from './os-object.ts';

export const kIOServiceDefaultQueueName = 'Default';

export type ServiceState = 'inactive' | 'started' | 'registered' | 'stopped';

/** Listener the service registry installs to learn about registration and termination. */
export interface ServiceRegistryHooks {
  serviceRegistered(service: IOService): void;
  serviceTerminated(service: IOService): void;
}

/**
 * IOService: Start/Stop lifecycle, named dispatch queues, properties, registration.
 * Subclasses override `Start`/`Stop` and call `super` first in Start and last in Stop,
 * as `SUPERDISPATCH` does; Stop undoes Start in reverse order.
 *
 * OURS: the state machine's answers — Start twice, Stop or RegisterService out of order give
 * kIOReturnBadArgument — and Stop cancelling and releasing the service's queues.
 */
export class IOService extends OSObject {
  private name: string = this.constructor.name;
  private state: ServiceState = 'inactive';
  private provider: IOService | null = null;
  private readonly queues = new Map<string, IODispatchQueue>();
  readonly properties = new Map<string, unknown>();
  registry: ServiceRegistryHooks | null = null;

  get serviceState(): ServiceState {
    return this.state;
  }

  GetProvider(): IOService | null {
    return this.provider;
  }

  SetName(name: string): void {
    this.name = name;
  }

  GetName(): string {
    return this.name;
  }

  Start(provider: IOService | null): IOReturn {
    if (this.state === 'started' || this.state === 'registered') return kIOReturnBadArgument;
    provider?.retain();
    this.provider = provider;
    if (!this.queues.has(kIOServiceDefaultQueueName)) {
      this.queues.set(
        kIOServiceDefaultQueueName,
        IODispatchQueue.createIn(this.runtime, `${this.name}.Default`),
      );
    }
    this.state = 'started';
    return kIOReturnSuccess;
  }

  Stop(_provider: IOService | null): IOReturn {
    if (this.state !== 'started' && this.state !== 'registered') return kIOReturnBadArgument;
    const wasRegistered = this.state === 'registered';
    this.state = 'stopped';
    for (const q of this.queues.values()) {
      q.Cancel();
      q.release();
    }
    this.queues.clear();
    if (wasRegistered) this.registry?.serviceTerminated(this);
    this.provider?.release();
    this.provider = null;
    return kIOReturnSuccess;
  }

  RegisterService(): IOReturn {
    if (this.state !== 'started') return kIOReturnBadArgument;
    this.state = 'registered';
    this.registry?.serviceRegistered(this);
    return kIOReturnSuccess;
  }

  /** Returns a retained reference to a named queue ("Default" exists after Start). */
  CopyDispatchQueue(name: string, queue: Out<IODispatchQueue>): IOReturn {
    const q = this.queues.get(name);
    if (!q) return kIOReturnNotFound;
    queue.value = q.retain();
    return kIOReturnSuccess;
  }

  SetDispatchQueue(name: string, queue: IODispatchQueue): IOReturn {
    queue.retain();
    const old = this.queues.get(name);
    this.queues.set(name, queue);
    old?.release();
    return kIOReturnSuccess;
  }

  /** Default: no user clients (IOServiceOpen then fails with kIOReturnUnsupported). */
  NewUserClient(_type: number, _userClient: Out<IOService>): IOReturn {
    return kIOReturnUnsupported;
  }

  protected override free(): void {
    if (this.state === 'started' || this.state === 'registered') this.Stop(this.provider);
  }
}
