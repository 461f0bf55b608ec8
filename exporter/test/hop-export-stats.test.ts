import { describe, expect, it } from 'vitest';
import { HOP_DROP_REASONS, HopExportStats } from '../src/hop-export-stats';

describe('HopExportStats', () => {
  it('starts at zero for every reason', () => {
    const snapshot = new HopExportStats().snapshot();
    expect(snapshot.written).toBe(0);
    expect(snapshot.duplicates).toBe(0);
    expect(snapshot.droppedTotal).toBe(0);
    expect(Object.keys(snapshot.dropped).sort()).toEqual([...HOP_DROP_REASONS].sort());
  });

  it('counts written, duplicates and drops by reason, and sums the drops', () => {
    const stats = new HopExportStats();
    stats.recordWritten(3);
    stats.recordDuplicates(1);
    stats.recordDropped('queue_full', 2);
    stats.recordDropped('timeout', 1, 'slow');
    stats.recordDropped('timeout', 4);
    stats.recordDropped('run_cap', 0);
    const snapshot = stats.snapshot();
    expect(snapshot).toMatchObject({ written: 3, duplicates: 1, droppedTotal: 7 });
    expect(snapshot.dropped).toMatchObject({ queue_full: 2, timeout: 5, run_cap: 0 });
  });

  it('hands out copies that later counting does not change', () => {
    const stats = new HopExportStats();
    const before = stats.snapshot();
    stats.recordDropped('shutdown', 1);
    expect(before.dropped.shutdown).toBe(0);
    before.dropped.shutdown = 99;
    expect(stats.snapshot().dropped.shutdown).toBe(1);
  });
});
