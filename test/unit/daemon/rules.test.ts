import { describe, expect, it } from 'vitest';
import { FlowControl } from '../../../src/daemon/flow-control.js';
import { FrameScheduler } from '../../../src/daemon/frame-scheduler.js';
import { classify } from '../../../src/daemon/witness-rules.js';
import { defaultAgent, presetChoices, presets, questions, realAgents } from '../../../src/agent-cli/presets.js';

const timings = { settleMs: 400, idleMs: 15_000, stuckMs: 600_000 };
const claude = presets.claude!;
const input = { exited: false, quietMs: 0, lines: [] as string[], waiting: claude.waiting, asks: questions, idle: claude.idle, busy: claude.busy, hasBead: true };

describe('witness rules', () => {
  it('reads working, waiting, idle, stuck and exited', () => {
    expect(classify({ ...input, quietMs: 100 }, timings)).toBe('working');
    expect(classify({ ...input, quietMs: 500, lines: ['Do you want to proceed?'] }, timings)).toBe('waiting');
    // A prompt still being drawn is not waiting yet.
    expect(classify({ ...input, quietMs: 100, lines: ['Do you want to proceed?'] }, timings)).toBe('working');
    expect(classify({ ...input, quietMs: 20_000, hasBead: false }, timings)).toBe('idle');
    expect(classify({ ...input, quietMs: 20_000 }, timings)).toBe('idle');
    expect(classify({ ...input, quietMs: 700_000 }, timings)).toBe('stuck');
    expect(classify({ ...input, exited: true, quietMs: 700_000 }, timings)).toBe('exited');
  });

  it('looks for an agent\'s dialogs on the whole screen, and for generic questions on the bottom lines only', () => {
    const dialog = ['Bash command', '  rm -rf build', 'Do you want to proceed?', '❯ 1. Yes', '  2. No', '', 'Esc to cancel'];
    expect(classify({ ...input, quietMs: 500, lines: [...dialog, 'filler', 'more filler'] }, timings)).toBe('waiting');
    // An old "(y/n)" that scrolled up is not a question any more.
    const scrolled = ['Overwrite? (y/n) y', 'wrote file', 'ran tests', 'all green'];
    expect(classify({ ...input, waiting: [], quietMs: 500, lines: scrolled }, timings)).toBe('working');
    expect(classify({ ...input, waiting: [], quietMs: 500, lines: scrolled.slice(0, 1) }, timings)).toBe('waiting');
  });

  it('reads the agent\'s busy line as working however still, and its input box as idle once settled', () => {
    expect(classify({ ...input, quietMs: 60_000, lines: ['✻ Pondering… (42s · esc to interrupt)', '> ', '? for shortcuts'] }, timings)).toBe('working');
    expect(classify({ ...input, quietMs: 500, lines: ['● Done.', '> ', '? for shortcuts'] }, timings)).toBe('idle');
    expect(classify({ ...input, quietMs: 100, lines: ['● Done.', '> ', '? for shortcuts'] }, timings)).toBe('working');
  });
});

describe('the default agent', () => {
  it('is config defaultAgent when set, else the first real agent installed, never the scripted one', () => {
    expect(defaultAgent('shell', () => false)).toBe('shell');
    expect(defaultAgent(undefined, (program) => program === 'gemini' || program === 'aider')).toBe('gemini');
    expect(() => defaultAgent(undefined, () => false)).toThrow(/no agent to sling: none of claude, codex, gemini, opencode, aider is installed/);
    expect(realAgents).not.toContain('scripted');
  });

  it('comes first in the board\'s sling form, the scripted agent last', () => {
    expect(presetChoices('codex')[0]).toBe('codex');
    expect(presetChoices('codex').at(-1)).toBe('scripted');
    expect(presetChoices(undefined)[0]).toBe('claude');
    expect(presetChoices('scripted')[0]).toBe('scripted');
    expect(new Set(presetChoices('codex')).size).toBe(presetChoices('codex').length);
  });
});

describe('frame scheduler', () => {
  it('sends at once after a quiet spell, and coalesces a stream at a bounded rate', async () => {
    let clock = 0;
    let frames = 0;
    const scheduler = new FrameScheduler(() => frames++, 16, () => clock);
    scheduler.request();
    expect(frames).toBe(1);
    clock = 2;
    scheduler.request();
    clock = 4;
    scheduler.request();
    expect(frames).toBe(1);
    scheduler.flushNow();
    expect(frames).toBe(2);
    clock = 100;
    scheduler.request();
    expect(frames).toBe(3);
    scheduler.dispose();
  });
});

describe('flow control', () => {
  it('pauses above the high watermark, resumes below the low one, and never pauses after finish', () => {
    const calls: string[] = [];
    const flow = new FlowControl({ pause: () => calls.push('pause'), resume: () => calls.push('resume') }, 100, 10);
    flow.received(60);
    flow.received(60);
    expect(calls).toEqual(['pause']);
    flow.parsed(60);
    expect(calls).toEqual(['pause']);
    flow.parsed(55);
    expect(calls).toEqual(['pause', 'resume']);
    flow.received(200);
    flow.finish();
    flow.received(500);
    expect(calls).toEqual(['pause', 'resume', 'pause', 'resume']);
    expect(flow.isPaused).toBe(false);
  });
});
