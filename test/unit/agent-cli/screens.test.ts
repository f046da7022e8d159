import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseRow, ScreenActivity } from '../../../src/agent-cli/screen-activity.js';
import { presets, questions, type Preset } from '../../../src/agent-cli/presets.js';
import { classify } from '../../../src/daemon/witness-rules.js';

/**
 * Screens recorded from the real CLIs (claude 2.1.332, codex 0.171.0, gemini 0.61.0) in a pty
 * (/work/notes/agents-facts.md; test/agents-real/probe.ts). Each file holds `row|text` lines;
 * rows not listed are blank.
 */
function screen(name: string, rows = 24): string[] {
  const lines: string[] = Array.from({ length: rows }, () => '');
  for (const line of readFileSync(join(import.meta.dirname, 'screens', `${name}.txt`), 'utf8').split('\n')) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const row = Number(line.slice(0, bar).trim());
    while (lines.length <= row) lines.push('');
    lines[row] = line.slice(bar + 1);
  }
  return lines;
}

const timings = { settleMs: 400, idleMs: 15_000, stuckMs: 600_000 };
function statusOf(preset: Preset, lines: string[], quietMs: number): string {
  const trimmed = [...lines];
  while (trimmed.length > 0 && trimmed[trimmed.length - 1]!.trim() === '') trimmed.pop();
  return classify({ exited: false, quietMs, lines: trimmed, waiting: preset.waiting, asks: preset.asks ?? questions, idle: preset.idle, busy: preset.busy, hasBead: true }, timings);
}

describe('recorded screens: each agent\'s dialogs read as waiting, wherever they are on the screen', () => {
  it.each([
    ['claude', 'claude-permission'], // "Do you want to proceed?" 7 rows from the bottom, "❯ 1. Yes" 6
    ['claude', 'claude-trust'], // default answer "❯ No, exit", unnumbered
    ['claude', 'claude-auto-mode'], // the end-of-turn nag: no input box
    ['codex', 'codex-approval'],
    ['gemini', 'gemini-trust'],
    ['gemini', 'gemini-permission'], // "Allow execution of [Shell]?" 7 rows up
  ])('%s: %s', (agent, name) => {
    expect(statusOf(presets[agent]!, screen(name), 500)).toBe('waiting');
    // Still being drawn: not yet.
    expect(statusOf(presets[agent]!, screen(name), 100)).toBe('working');
  });

  it('the bottom three lines alone missed them (the old rule)', () => {
    const bottom = (lines: string[]) => lines.filter((line) => line.trim() !== '').slice(-3);
    expect(bottom(screen('claude-permission')).some((line) => /Do you want to proceed|❯ 1\. Yes/.test(line))).toBe(false);
  });
});

describe('recorded screens: working and idle', () => {
  it('Claude streaming is working however long the screen stays still; its input box is on screen all along', () => {
    expect(statusOf(presets.claude!, screen('claude-streaming'), 60_000)).toBe('working');
  });

  it('Gemini streaming is working though its input box stays on screen (the old rule read it as waiting)', () => {
    expect(statusOf(presets.gemini!, screen('gemini-working'), 60_000)).toBe('working');
  });

  it('Claude, Codex and Gemini at rest read idle as soon as the screen settles, not after the quiet time', () => {
    expect(statusOf(presets.claude!, screen('claude-idle'), 500)).toBe('idle');
    expect(statusOf(presets.codex!, screen('codex-idle'), 500)).toBe('idle');
    expect(statusOf(presets.gemini!, screen('gemini-ready'), 500)).toBe('idle');
  });

  it('Codex\'s approval prompt with its blinking "•" settles into waiting after one blink', () => {
    const activity = new ScreenActivity();
    const on = screen('codex-approval');
    const off = on.map((line, y) => (y === 6 ? line.replace('•', ' ') : line));
    let changedAt = 0;
    for (let t = 0; t < 20; t++) if (activity.observe(t % 2 ? off : on)) changedAt = t * 500;
    expect(changedAt).toBe(500);
    expect(statusOf(presets.codex!, on, 20 * 500 - changedAt)).toBe('waiting');
  });

  it('no agent\'s dialog pattern matches another screen of its own at rest or at work', () => {
    const others = [['claude', 'claude-idle'], ['claude', 'claude-streaming'], ['codex', 'codex-idle'], ['gemini', 'gemini-ready'], ['gemini', 'gemini-working']] as const;
    for (const [agent, name] of others) {
      expect(screen(name).some((line) => presets[agent]!.waiting.some((pattern) => pattern.test(line))), name).toBe(false);
    }
  });
});

describe('screen activity: animation is not work', () => {
  it('normalises timers and spinner glyphs', () => {
    expect(normaliseRow('✶ Kneading… (12s)')).toBe(normaliseRow('✻ Kneading… (13s)'));
    expect(normaliseRow('⠋ step')).toBe(normaliseRow('⠙ step'));
    expect(normaliseRow('wrote a.txt')).not.toBe(normaliseRow('wrote b.txt'));
  });

  it('Claude\'s blinking "●" under a permission prompt stops counting after one blink', () => {
    const activity = new ScreenActivity();
    const on = screen('claude-permission');
    const off = on.map((line, y) => (y === 6 ? line.replace('●', ' ') : line));
    expect(activity.observe(on)).toBe(true); // the prompt appearing is news
    expect(activity.observe(off)).toBe(true); // its first blink is a new frame
    for (let i = 0; i < 10; i++) {
      expect(activity.observe(on)).toBe(false);
      expect(activity.observe(off)).toBe(false);
    }
  });

  it('a timer and a spinner ticking on an idle screen are not work; a new line of output is', () => {
    const activity = new ScreenActivity();
    const idle = screen('claude-idle');
    activity.observe(idle);
    for (let s = 1; s < 40; s++) {
      const ticked = idle.map((line, y) => (y === 18 ? `${'✻✶✳✢'[s % 4]} Churned for ${s}s · done 6:57 AM` : line));
      expect(activity.observe(ticked)).toBe(false);
    }
    const output = idle.map((line, y) => (y === 17 ? '● And ran the tests: 12 passed.' : line));
    expect(activity.observe(output)).toBe(true);
  });

  it('a logo cycling through its frames counts only its first cycle', () => {
    const activity = new ScreenActivity();
    const frames = ['  >_ OpenAI Codex', '  >_ OpenAI Codex .', '  >_ OpenAI Codex ..', '  >_ OpenAI Codex ...'].map((logo) => {
      const lines = screen('codex-idle');
      lines[1] = logo;
      return lines;
    });
    activity.observe(frames[0]!);
    expect(frames.slice(1).map((f) => activity.observe(f))).toEqual([true, true, true]);
    for (let i = 0; i < 20; i++) expect(activity.observe(frames[i % frames.length]!)).toBe(false);
  });

  it('a resize is not work, and starts afresh', () => {
    const activity = new ScreenActivity();
    activity.observe(screen('codex-idle'));
    expect(activity.observe(screen('codex-idle', 30))).toBe(false);
  });
});
