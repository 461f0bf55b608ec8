import { describe, expect, it } from 'vitest';
import { createBatcher, createThrottle, type Schedule } from '../src/lib/batch';

function manualFrames() {
  let queued: (() => void)[] = [];
  const schedule: Schedule = (fn) => {
    queued.push(fn);
    return () => {
      queued = queued.filter((f) => f !== fn);
    };
  };
  return {
    schedule,
    frame() {
      const run = queued;
      queued = [];
      for (const fn of run) fn();
    },
    pending: () => queued.length,
  };
}

describe('frame batching', () => {
  it('hands many events over in one batch per frame', () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const b = createBatcher<number>((items) => batches.push(items), frames.schedule);
    for (let i = 0; i < 50; i++) b.push(i);
    expect(frames.pending()).toBe(1);
    expect(batches).toEqual([]);
    frames.frame();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
    b.push(50);
    frames.frame();
    expect(batches[1]).toEqual([50]);
  });

  it('drops what is pending when cancelled', () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const b = createBatcher<number>((items) => batches.push(items), frames.schedule);
    b.push(1);
    b.cancel();
    frames.frame();
    expect(batches).toEqual([]);
  });
});

describe('throttled refetch', () => {
  function fakeTimers() {
    let now = 0;
    let timers: { at: number; fn: () => void; id: number }[] = [];
    let id = 0;
    return {
      timers: {
        now: () => now,
        setTimeout: (fn: () => void, ms: number) => {
          timers.push({ at: now + ms, fn, id: ++id });
          return id;
        },
        clearTimeout: (h: unknown) => {
          timers = timers.filter((t) => t.id !== h);
        },
      },
      advance(ms: number) {
        now += ms;
        const due = timers.filter((t) => t.at <= now);
        timers = timers.filter((t) => t.at > now);
        for (const t of due) t.fn();
      },
    };
  }

  it('runs at once, then at most once per interval, with the last call honoured', () => {
    const clock = fakeTimers();
    let calls = 0;
    const t = createThrottle(() => calls++, 5000, clock.timers);
    t.call();
    expect(calls).toBe(1);
    for (let i = 0; i < 100; i++) t.call(); // 50 runs/s for two seconds
    expect(calls).toBe(1);
    clock.advance(4999);
    expect(calls).toBe(1);
    clock.advance(1);
    expect(calls).toBe(2);
    clock.advance(10_000);
    expect(calls).toBe(2); // nothing asked since
    t.call();
    expect(calls).toBe(3);
    t.call();
    t.cancel();
    clock.advance(10_000);
    expect(calls).toBe(3);
  });
});
