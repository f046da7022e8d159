import { describe, expect, it } from 'vitest';
import { recordReport } from '../../../src/agent-cli/record-status.js';
import { hookEventName, preferReported, reportedStatus } from '../../../src/agent-cli/reported-status.js';
import { stateOf } from '../../helpers/agent-state.js';

describe('reportedStatus', () => {
  it('maps Claude Code events, in any spelling, to working / waiting / idle', () => {
    expect(reportedStatus('UserPromptSubmit')).toBe('working');
    expect(reportedStatus('pre-tool-use')).toBe('working');
    expect(reportedStatus('post_tool_use')).toBe('working');
    expect(reportedStatus('Stop')).toBe('idle');
    expect(reportedStatus('PermissionRequest')).toBe('waiting');
    expect(reportedStatus('session-end')).toBeNull();
    expect(hookEventName('PreCompact')).toBe('pre-compact');
    expect(hookEventName('rm -rf')).toBeUndefined();
    expect(reportedStatus('nonsense')).toBeNull();
  });

  it('reads Notification payloads: a permission prompt waits, the idle prompt is idle', () => {
    expect(reportedStatus('notification', { notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' })).toBe('waiting');
    expect(reportedStatus('notification', { notification_type: 'idle_prompt' })).toBe('idle');
    expect(reportedStatus('notification', { message: 'Claude is waiting for your input' })).toBe('idle');
    expect(reportedStatus('notification', { message: 'Claude needs your permission to use Bash' })).toBe('waiting');
    expect(reportedStatus('notification')).toBe('waiting');
  });

  it('reads Codex notify payloads', () => {
    expect(reportedStatus('codex-notify', { type: 'agent-turn-complete', 'turn-id': '1' })).toBe('idle');
    expect(reportedStatus('codex-notify', { type: 'approval-requested' })).toBe('waiting');
    expect(reportedStatus('codex-notify', { type: 'something-new' })).toBeNull();
    expect(reportedStatus('codex-notify', undefined)).toBeNull();
  });

  it('accepts plain working / waiting / idle from any agent', () => {
    expect(['working', 'waiting', 'idle'].map((e) => reportedStatus(e))).toEqual(['working', 'waiting', 'idle']);
  });
});

describe('preferReported (the witness)', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const t = Date.parse(at);
  it('prefers a fresh report over the screen', () => {
    expect(preferReported('working', { reported_status: 'waiting', reported_at: at }, t + 1_000)).toBe('waiting');
    expect(preferReported('idle', { reported_status: 'working', reported_at: at }, undefined)).toBe('working');
  });
  it('falls back to the screen when output came after the report, or nothing was reported', () => {
    expect(preferReported('working', { reported_status: 'idle', reported_at: at }, t + 10_000)).toBe('working');
    expect(preferReported('waiting', {}, t)).toBe('waiting');
  });
  it('never hides exited, lost or stuck', () => {
    for (const s of ['exited', 'lost', 'stuck']) expect(preferReported(s, { reported_status: 'working', reported_at: at }, t)).toBe(s);
  });
});

describe('recordReport', () => {
  const polecat = { id: 'nux', status: 'working', bead: 'ct-1' };
  it('moves the status and records when and why', () => {
    const { changes, value } = recordReport({ polecat: 'nux', status: 'waiting', event: 'notification', at: '2026-01-01T00:00:00Z' })(
      stateOf({ polecats: [polecat] }),
    );
    expect(value).toEqual({ written: true, status: 'waiting' });
    expect(changes[0]!.entity).toMatchObject({ id: 'nux', bead: 'ct-1', status: 'waiting', reported_status: 'waiting', reported_event: 'notification' });
  });
  it('does not rewrite the same report within the throttle window, but does after it', () => {
    const reported = { ...polecat, status: 'working', reported_status: 'working', reported_at: '2026-01-01T00:00:00.000Z' };
    const again = (at: string) => recordReport({ polecat: 'nux', status: 'working', event: 'pre-tool-use', at, throttleMs: 10_000 })(stateOf({ polecats: [reported] }));
    expect(again('2026-01-01T00:00:05.000Z').changes).toHaveLength(0);
    expect(again('2026-01-01T00:00:30.000Z').changes).toHaveLength(1);
  });
  it('keeps exited polecats exited', () => {
    const { value } = recordReport({ polecat: 'nux', status: 'working', event: 'stop', at: '2026-01-01T00:00:00Z' })(
      stateOf({ polecats: [{ ...polecat, status: 'exited' }] }),
    );
    expect(value.status).toBe('exited');
  });
  it('refuses an unknown polecat', () => {
    expect(() => recordReport({ polecat: 'ghost', status: 'idle', event: 'stop', at: '2026-01-01T00:00:00Z' })(stateOf({}))).toThrow(/polecat ghost not found/);
  });
});
