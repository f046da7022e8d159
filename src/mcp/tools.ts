import { CitadelError } from '../common/errors.js';

/**
 * The MCP tools: each one a compact schema plus the `citadel` command line it runs. The server
 * runs that command in-process through the CLI's own `main` (see run-cli.ts), so a tool has
 * exactly the CLI's validation, errors and effects: there is no second implementation to drift.
 * Descriptions are terse on purpose: the whole list costs an agent's context on every session
 * (test/unit/mcp/tools.test.ts measures it; budget 2,000 tokens).
 */

export interface JsonSchema {
  type: 'object';
  properties: Record<string, { type: 'string' | 'integer' | 'boolean' | 'array'; description?: string; items?: { type: 'string' }; enum?: string[] }>;
  required?: string[];
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  /** The citadel argv (without --json, which the server adds) for validated arguments. */
  argv(args: Args): string[];
}

export type Args = Readonly<Record<string, unknown>>;

const id = { type: 'string' as const, description: 'bead id' };
const polecat = { type: 'string' as const, description: 'polecat name' };
const text = (description: string) => ({ type: 'string' as const, description });

export const tools: readonly ToolDefinition[] = [
  {
    name: 'ready',
    description: 'Ready queue: open, unblocked, unclaimed beads by priority then age.',
    inputSchema: { type: 'object', properties: { limit: { type: 'integer', description: 'max beads (default 10)' } } },
    argv: (a) => ['ready', `--limit=${integer(a, 'limit') ?? 10}`],
  },
  {
    name: 'show',
    description: 'One bead in full.',
    inputSchema: { type: 'object', properties: { id }, required: ['id'] },
    argv: (a) => ['bead', 'show', '--', required(a, 'id')],
  },
  {
    name: 'claim',
    description: 'Claim a bead for yourself (atomic: fails if someone holds it).',
    inputSchema: { type: 'object', properties: { id }, required: ['id'] },
    argv: (a) => ['bead', 'update', '--claim', '--', required(a, 'id')],
  },
  {
    name: 'update',
    description: 'Change a bead’s fields.',
    inputSchema: {
      type: 'object',
      properties: {
        id,
        status: { type: 'string', enum: ['open', 'in_progress', 'blocked', 'closed'] },
        title: { type: 'string' },
        body: { type: 'string' },
        priority: { type: 'integer', description: '0 (highest) to 4' },
        assignee: { type: 'string' },
        add_labels: { type: 'array', items: { type: 'string' } },
      },
      required: ['id'],
    },
    argv: (a) => [
      'bead',
      'update',
      ...option('status', string(a, 'status')),
      ...option('title', string(a, 'title')),
      ...option('body', string(a, 'body')),
      ...option('priority', integer(a, 'priority')),
      ...option('assignee', string(a, 'assignee')),
      ...strings(a, 'add_labels').flatMap((label) => option('add-label', label)),
      '--',
      required(a, 'id'),
    ],
  },
  {
    name: 'close',
    description: 'Close a bead (no merge; use done to submit code).',
    inputSchema: { type: 'object', properties: { id, reason: text('why') }, required: ['id'] },
    argv: (a) => ['bead', 'close', ...option('reason', string(a, 'reason')), '--', required(a, 'id')],
  },
  {
    name: 'done',
    description: 'Submit your committed branch to the refinery for merge. Refuses uncommitted changes.',
    inputSchema: { type: 'object', properties: { bead: text('default: your bead'), message: text('note for the refinery') } },
    argv: (a) => ['done', ...option('bead', string(a, 'bead')), ...option('message', string(a, 'message'))],
  },
  {
    name: 'mail_send',
    description: 'Send mail. to: overseer, refinery, a polecat, or @all.',
    inputSchema: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' }, reply_to: text('mail id') },
      required: ['to', 'subject'],
    },
    argv: (a) => [
      'mail',
      'send',
      ...option('to', required(a, 'to')),
      ...option('subject', required(a, 'subject')),
      ...option('body', string(a, 'body')),
      ...option('reply-to', string(a, 'reply_to')),
    ],
  },
  {
    name: 'mail_inbox',
    description: 'Your inbox, newest first.',
    inputSchema: { type: 'object', properties: { unread: { type: 'boolean', description: 'unread only' } } },
    argv: (a) => ['mail', 'inbox', ...(boolean(a, 'unread') ? ['--unread'] : [])],
  },
  {
    name: 'mail_read',
    description: 'Read one mail (marks it read).',
    inputSchema: { type: 'object', properties: { id: text('mail id') }, required: ['id'] },
    argv: (a) => ['mail', 'read', '--', required(a, 'id')],
  },
  {
    name: 'molecule_status',
    description: 'A molecule instance: steps, states, holders, what is ready.',
    inputSchema: { type: 'object', properties: { id: text('instance (epic) id') }, required: ['id'] },
    argv: (a) => ['molecule', 'status', '--', required(a, 'id')],
  },
  // The mayor's tools (docs/scheduler.md, "A mayor"): run the town rather than one bead.
  {
    name: 'polecats',
    description: 'Polecats: status, bead, agent.',
    inputSchema: { type: 'object', properties: {} },
    argv: () => ['polecat', 'list'],
  },
  {
    name: 'peek',
    description: 'A polecat’s screen, last lines.',
    inputSchema: { type: 'object', properties: { name: polecat, lines: { type: 'integer', description: 'scrollback lines too' } }, required: ['name'] },
    argv: (a) => ['polecat', 'peek', `--lines=${integer(a, 'lines') ?? 0}`, '--', required(a, 'name')],
  },
  {
    name: 'sling',
    description: 'Start a polecat on a bead.',
    inputSchema: { type: 'object', properties: { id, agent: text('preset'), polecat }, required: ['id'] },
    argv: (a) => ['sling', ...option('agent', string(a, 'agent')), ...option('polecat', string(a, 'polecat')), '--', required(a, 'id')],
  },
  {
    name: 'nudge',
    description: 'Type a message into a polecat’s pane.',
    inputSchema: { type: 'object', properties: { name: polecat, text: { type: 'string' } }, required: ['name', 'text'] },
    argv: (a) => ['nudge', '--', required(a, 'name'), required(a, 'text')],
  },
  {
    name: 'town',
    description: 'Scheduler: start (optional max, agent), pause, or status.',
    inputSchema: { type: 'object', properties: { action: { type: 'string', enum: ['start', 'pause', 'status'] }, max: { type: 'integer' }, agent: text('preset') }, required: ['action'] },
    argv: (a) => {
      const action = required(a, 'action');
      if (!['start', 'pause', 'status'].includes(action)) throw new CitadelError('invalid', 'action must be start, pause or status');
      return ['town', action, ...(action === 'start' ? [...option('max', integer(a, 'max')), ...option('agent', string(a, 'agent'))] : [])];
    },
  },
];

export function findTool(name: string): ToolDefinition {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new CitadelError('not_found', `unknown tool "${name}" (known: ${tools.map((t) => t.name).join(', ')})`);
  return tool;
}

// ── argument readers: types only; the CLI validates values ──────────────────────────────────

/** `--name=value`: the `=` form keeps a value that starts with "-" from being read as a flag. */
function option(name: string, value: string | number | undefined): string[] {
  return value === undefined ? [] : [`--${name}=${value}`];
}

function string(args: Args, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CitadelError('invalid', `${key} must be a string`);
  return value;
}

function required(args: Args, key: string): string {
  const value = string(args, key);
  if (value === undefined || value.trim() === '') throw new CitadelError('invalid', `${key} is required`);
  return value;
}

function integer(args: Args, key: string): number | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new CitadelError('invalid', `${key} must be an integer`);
  return value;
}

function boolean(args: Args, key: string): boolean {
  const value = args[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new CitadelError('invalid', `${key} must be true or false`);
  return value;
}

function strings(args: Args, key: string): string[] {
  const value = args[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new CitadelError('invalid', `${key} must be a list of strings`);
  return value as string[];
}
