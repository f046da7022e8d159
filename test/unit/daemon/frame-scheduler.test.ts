import { describe, expect, it } from 'vitest';
import { FrameScheduler } from '../../../src/daemon/frame-scheduler.js';

describe('FrameScheduler', () => {
  it('holds a streaming pane to its slot, but sends the first change after a keystroke at once', async () => {
    const clock = { now: 1000 };
    let frames = 0;
    const scheduler = new FrameScheduler(() => frames++, 16, () => clock.now);
    scheduler.request();
    expect(frames).toBe(1);
    clock.now += 1;
    scheduler.request(); // streaming: waits for the slot's end
    expect(frames).toBe(1);
    clock.now += 1;
    scheduler.urgent(); // the echo of a keystroke: now, and the pending timer is dropped
    expect(frames).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(frames).toBe(2);
    scheduler.dispose();
  });
});
