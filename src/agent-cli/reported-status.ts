/**
 * Reported status: what an agent says about itself through its own hooks (Claude Code's and
 * Codex's hooks, Gemini CLI's BeforeAgent/AfterAgent…, opencode's plugin calling a plain
 * `citadel hook working|waiting|idle`, or Codex's older notify program),
 * as opposed to what the witness guesses from its screen. Pure: no I/O.
 */

/** The states an agent can report. The witness's other states (stuck, exited, lost) are its own. */
export type ReportedStatus = 'working' | 'waiting' | 'idle';

/** The status fields a hook writes on a polecat entity (kind "polecats"). */
export interface ReportedFields {
  /** The last state the agent reported. */
  readonly reported_status?: ReportedStatus;
  /** When it reported it (ISO 8601). */
  readonly reported_at?: string;
  /** The hook event that reported it ("stop", "codex-notify"…), for diagnosis. */
  readonly reported_event?: string;
}

/**
 * The hook events `citadel hook EVENT` accepts, by their kebab-case name. Claude Code's event
 * names (PascalCase, as in its settings) are accepted too and normalised by {@link hookEventName}.
 */
export const hookEvents = [
  'session-start',
  'user-prompt-submit',
  'pre-tool-use',
  'post-tool-use',
  'post-tool-use-failure',
  'subagent-stop',
  'pre-compact',
  'notification',
  'permission-request',
  'stop',
  'stop-failure',
  'session-end',
  'before-agent',
  'after-agent',
  'before-tool',
  'after-tool',
  'codex-notify',
  'working',
  'waiting',
  'idle',
] as const;

export type HookEvent = (typeof hookEvents)[number];

/** "PreToolUse", "pre_tool_use" and "pre-tool-use" all name the same event; undefined if unknown. */
export function hookEventName(raw: string): HookEvent | undefined {
  const kebab = raw
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
  return (hookEvents as readonly string[]).includes(kebab) ? (kebab as HookEvent) : undefined;
}

/**
 * The status an event reports, or null when it says nothing about the agent's state.
 * `payload` is what the agent handed the hook (Claude Code: the JSON on stdin; Codex: the JSON
 * argument), used where the event alone is ambiguous:
 * - Claude's Notification is "waiting" for a permission or an elicitation dialog, but "idle"
 *   for its `idle_prompt` (the prompt has sat unanswered after the turn ended);
 * - Codex's `agent-turn-complete` means the turn is over: "idle".
 */
export function reportedStatus(event: HookEvent | string, payload?: unknown): ReportedStatus | null {
  const name = hookEventName(event);
  switch (name) {
    case 'user-prompt-submit':
    case 'pre-tool-use':
    case 'post-tool-use':
    case 'post-tool-use-failure':
    case 'subagent-stop':
    case 'pre-compact':
    case 'before-agent':
    case 'before-tool':
    case 'after-tool':
    case 'working':
      return 'working';
    case 'notification':
      return notificationStatus(payload);
    case 'stop':
    case 'stop-failure':
    case 'after-agent':
    case 'session-start':
    case 'idle':
      return 'idle';
    case 'waiting':
    case 'permission-request':
      return 'waiting';
    case 'codex-notify':
      return codexStatus(payload);
    case 'session-end':
    case undefined:
      return null;
  }
}

function field(payload: unknown, key: string): unknown {
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined;
}

function notificationStatus(payload: unknown): ReportedStatus {
  const type = field(payload, 'notification_type');
  if (type === 'idle_prompt') return 'idle';
  if (type === 'auth_success') return 'working';
  const message = field(payload, 'message');
  // Older Claude Code versions send no type: "Claude is waiting for your input" is the idle prompt.
  if (type === undefined && typeof message === 'string' && /waiting for your input/i.test(message)) return 'idle';
  return 'waiting';
}

function codexStatus(payload: unknown): ReportedStatus | null {
  const type = field(payload, 'type');
  if (type === 'agent-turn-complete') return 'idle';
  if (typeof type === 'string' && /approval|input-requested/.test(type)) return 'waiting';
  return null;
}

/** The witness's states where its own observation wins over anything an agent reported. */
const observedOnly = new Set(['exited', 'lost', 'stuck']);

/**
 * The status the witness shows for a polecat: the agent's own report when it is still fresh,
 * else the status read from the screen (the fallback for agents without hooks).
 *
 * A report is fresh while the pane has produced no output since it, beyond `graceMs` (agents
 * redraw their prompt just after reporting): new output means the agent moved on without telling
 * (e.g. Codex only reports the end of a turn). Exited, lost and stuck are the witness's own
 * findings and always win.
 */
export function preferReported(
  screenStatus: string,
  polecat: ReportedFields,
  lastOutputAtMs: number | undefined,
  { graceMs = 3_000 }: { graceMs?: number } = {},
): string {
  if (observedOnly.has(screenStatus)) return screenStatus;
  const reported = polecat.reported_status;
  const at = polecat.reported_at ? Date.parse(polecat.reported_at) : Number.NaN;
  if (!reported || Number.isNaN(at)) return screenStatus;
  if (lastOutputAtMs !== undefined && lastOutputAtMs > at + graceMs) return screenStatus;
  return reported;
}
