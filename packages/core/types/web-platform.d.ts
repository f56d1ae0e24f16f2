// The web-platform globals core's source uses, declared here because core compiles without Node's types
// (core is pure: it must run wherever these exist, Node >= 20.19, Deno, Bun, browsers). Only the build
// reads this file; tests and consumers get the real declarations from @types/node or the DOM library.

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function structuredClone<T>(value: T): T;
