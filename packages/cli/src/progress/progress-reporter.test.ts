import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../cli-context.js';
import { createProgressReporter } from './progress-reporter.js';

function io(tty: boolean): CliIo & { text: () => string } {
  let text = '';
  return {
    out: () => undefined,
    err: (s) => {
      text += s;
    },
    isTTY: tty,
    errIsTTY: tty,
    color: false,
    text: () => text,
  };
}

describe('createProgressReporter', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('off a terminal: one plain line per change of phase or reason; the reason only after 3 s', () => {
    const out = io(false);
    const r = createProgressReporter(out, {
      subject: 'sandbox s (pod p)',
      target: 'running',
      now: () => now,
    });
    r.update({ phase: 'starting', reason: 'container main: ErrImagePull: x' });
    now = 1000;
    r.update({ phase: 'starting', reason: 'container main: ErrImagePull: x' });
    now = 3200;
    vi.advanceTimersByTime(500);
    now = 3400;
    r.update({ phase: 'starting', reason: 'container main: ErrImagePull: x' });
    now = 4000;
    r.update({ phase: 'running' });
    r.stop('running');
    expect(out.text()).toBe(
      'sandbox s (pod p): starting after 0s\n' +
        'sandbox s (pod p): starting after 3.2s: container main: ErrImagePull: x\n' +
        'sandbox s (pod p): running after 4s\n',
    );
  });

  it('on a terminal: one line rewritten in place, cleared at the end, then the final line', () => {
    const out = io(true);
    const r = createProgressReporter(out, {
      subject: 'sandbox s (pod p)',
      target: 'running',
      now: () => now,
    });
    r.update({ phase: 'starting' });
    now = 200;
    vi.advanceTimersByTime(200);
    now = 1500;
    r.stop('running');
    const text = out.text();
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('\r\x1b[2Ksandbox s (pod p): starting 200ms');
    expect(text.endsWith('\r\x1b[2Ksandbox s (pod p): running after 1.5s\n')).toBe(true);
  });
});
