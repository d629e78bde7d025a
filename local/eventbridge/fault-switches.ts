/**
 * The local EventBridge's injected faults: armed by a test (FaultControls), taken one at a time by
 * PutEvents, delivery and invocation. Arrow-function fields, so `bus.faults.failNext…` works unbound.
 */
import type { FaultControls } from './types';

interface Counted {
  count: number;
}

/** Takes one use of the fault armed for `key`, if any is left. */
function takeOne<T extends Counted>(map: Map<string, T>, key: string): T | undefined {
  const fault = map.get(key);
  if (!fault || fault.count <= 0) return undefined;
  fault.count -= 1;
  return fault;
}

export class FaultSwitches implements FaultControls {
  private putRequests = 0;
  private putEntries = { count: 0, code: 'InternalFailure', message: 'Internal Service Failure' };
  private entryIndexes: { indexes: Set<number>; code: string } | undefined;
  private readonly deliveries = new Map<string, Counted & { code: string; message: string }>();
  private readonly invocations = new Map<string, Counted & { error: () => Error }>();

  failNextPutRequests = (count: number) => {
    this.putRequests = count;
  };
  failNextPutEntries = (count: number, code = 'InternalFailure', message = 'Internal Service Failure') => {
    this.putEntries = { count, code, message };
  };
  failEntriesOfNextPut = (indexes: number[], code = 'InternalFailure') => {
    this.entryIndexes = { indexes: new Set(indexes), code };
  };
  failNextDeliveries = (target: string, count: number, code = 'THROTTLING', message = 'Rate Exceeded.') => {
    this.deliveries.set(target, { count, code, message });
  };
  failNextInvocations = (target: string, count: number, error = () => new Error(`injected failure of ${target}`)) => {
    this.invocations.set(target, { count, error });
  };
  clear = () => {
    this.putRequests = 0;
    this.putEntries = { ...this.putEntries, count: 0 };
    this.entryIndexes = undefined;
    this.deliveries.clear();
    this.invocations.clear();
  };

  /** True when this PutEvents request is to fail as a whole. */
  takePutRequest(): boolean {
    if (this.putRequests <= 0) return false;
    this.putRequests -= 1;
    return true;
  }

  /** The positions to refuse in this request (armed for one request only). */
  takeEntryIndexes(): { indexes: Set<number>; code: string } | undefined {
    const armed = this.entryIndexes;
    this.entryIndexes = undefined;
    return armed;
  }

  /** A refusal for the next entry, while any are armed. */
  takePutEntry(): { code: string; message: string } | undefined {
    if (this.putEntries.count <= 0) return undefined;
    this.putEntries.count -= 1;
    return this.putEntries;
  }

  takeDelivery(target: string) {
    return takeOne(this.deliveries, target);
  }
  takeInvocation(target: string) {
    return takeOne(this.invocations, target);
  }
}
