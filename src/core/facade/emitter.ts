/** A small EventEmitter with Node's method names, for browsers and edges alike. */
export type Handler = (...args: never[]) => void;

export class Emitter {
  private handlers = new Map<string, Array<(...args: unknown[]) => void>>();

  on(event: string, fn: (...args: never[]) => void): this {
    const list = this.handlers.get(event) ?? [];
    list.push(fn as (...args: unknown[]) => void);
    this.handlers.set(event, list);
    return this;
  }

  addListener(event: string, fn: (...args: never[]) => void): this {
    return this.on(event, fn);
  }

  once(event: string, fn: (...args: never[]) => void): this {
    const wrapper = (...args: unknown[]) => {
      this.off(event, wrapper);
      (fn as (...args: unknown[]) => void)(...args);
    };
    return this.on(event, wrapper);
  }

  off(event: string, fn: (...args: never[]) => void): this {
    const list = this.handlers.get(event);
    if (list) this.handlers.set(event, list.filter((f) => f !== fn));
    return this;
  }

  removeListener(event: string, fn: (...args: never[]) => void): this {
    return this.off(event, fn);
  }

  removeAllListeners(event?: string): this {
    if (event === undefined) this.handlers.clear();
    else this.handlers.delete(event);
    return this;
  }

  listenerCount(event: string): number {
    return this.handlers.get(event)?.length ?? 0;
  }

  emit(event: string, ...args: unknown[]): boolean {
    const list = this.handlers.get(event);
    if (!list || list.length === 0) {
      // Node would throw on an unhandled 'error'; a sandbox reports it instead.
      if (event === 'error') console.error('Unhandled error event:', args[0]);
      return false;
    }
    for (const fn of [...list]) fn(...args);
    return true;
  }
}
