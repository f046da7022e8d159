/**
 * A stand-in model server for the real agent CLIs: node:http on 127.0.0.1, port 0, speaking the
 * four wire APIs they call — Anthropic Messages (claude), OpenAI Responses (codex), Gemini
 * generateContent (gemini) and OpenAI chat completions (opencode) — and playing one scripted
 * conversation. It fakes the model only: the CLI, citadel and git are real.
 *
 * Which step of the script a request gets is read from its history (the number of assistant
 * turns already in it), not from a counter, so a CLI that retries a request gets the same answer.
 * Requests without tools (titles, routers, summaries) are "side" requests: a short text answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One model turn: run a shell command through the CLI's own shell tool, or say something and end the turn. */
export type Step = { kind: 'shell'; command: string; why: string } | { kind: 'text'; text: string };

export type Api = 'anthropic' | 'responses' | 'gemini' | 'chat';

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  api: Api | null;
  /** Whether it was a turn of the scripted conversation (it offered tools). */
  main: boolean;
  /** The step answered, for a main request. */
  step?: number;
  status: number;
  /** The tool names the request offered. */
  tools?: string[];
  body?: unknown;
}

export interface Hold {
  /** Resolves when the held request has arrived and its stream has begun. */
  reached: Promise<RecordedRequest>;
  release(): void;
}

export interface StandIn {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The steps played, in order; a main request past the end gets a closing text. */
  script: Step[];
  /** Holds the main request of step `step` mid-stream (after its first event) until `release()`. */
  hold(step: number): Hold;
  /** When a main request with step `step` was answered (completed), if it was. */
  answeredAt(step: number): number | undefined;
  close(): Promise<void>;
}

interface Turn {
  step: number;
  tools: ToolInfo[];
}

interface ToolInfo {
  name: string;
  properties: Record<string, { type?: unknown }>;
}

/** The CLIs' shell tools, by preference. */
const shellTools = ['Bash', 'exec_command', 'shell_command', 'shell', 'run_shell_command', 'bash'];

export async function startStandIn(script: Step[] = []): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const answered = new Map<number, number>();
  const holds = new Map<number, { arrive: (r: RecordedRequest) => void; gate: Promise<void> }>();
  const state = { script };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        body = text;
      }
      void handle(req, res, body).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const record: RecordedRequest = { at: Date.now(), method: req.method ?? '', path: `${path}${url.search}`, api: null, main: false, status: 200, body };
    requests.push(record);
    const b = (body ?? {}) as Record<string, unknown>;
    const api = apiOf(req.method ?? '', path);
    record.api = api;
    if (!api) {
      if (path.endsWith('/messages/count_tokens')) return json(res, record, 200, { input_tokens: 100 });
      return json(res, record, 404, { error: { message: `stand-in: no ${req.method} ${path}` } });
    }
    const turn = turnOf(api, b);
    record.tools = turn?.tools.map((t) => t.name);
    if (!turn || !turn.tools.some((t) => shellTools.includes(t.name))) {
      return side(api, res, record, b, path);
    }
    record.main = true;
    record.step = turn.step;
    const step: Step = state.script[turn.step] ?? { kind: 'text', text: 'Nothing more to do.' };
    const events = eventsFor(api, step, turn.tools, turn.step);
    const stream = api === 'gemini' ? path.includes('streamGenerateContent') : b.stream !== false || api === 'responses';
    if (!stream) {
      json(res, record, 200, wholeFor(api, step, turn.tools, turn.step));
      answered.set(turn.step, Date.now());
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const [first, ...rest] = events;
    res.write(first!);
    const hold = holds.get(turn.step);
    if (hold) {
      holds.delete(turn.step);
      hold.arrive(record);
      await hold.gate;
    }
    for (const event of rest) res.write(event);
    res.end();
    answered.set(turn.step, Date.now());
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get script() {
      return state.script;
    },
    set script(steps: Step[]) {
      state.script = steps;
    },
    hold(step: number): Hold {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<RecordedRequest>((arrive) => holds.set(step, { arrive, gate }));
      return { reached, release };
    },
    answeredAt: (step) => answered.get(step),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function apiOf(method: string, path: string): Api | null {
  if (method !== 'POST') return null;
  if (/\/v1\/messages$/.test(path)) return 'anthropic';
  if (/\/responses$/.test(path)) return 'responses';
  if (/:(stream)?[gG]enerateContent$/.test(path)) return 'gemini';
  if (/\/chat\/completions$/.test(path)) return 'chat';
  return null;
}

function json(res: ServerResponse, record: RecordedRequest, status: number, value: unknown): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** The tools offered and the step (assistant turns already in the history). */
function turnOf(api: Api, b: Record<string, unknown>): Turn | undefined {
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const props = (schema: unknown): Record<string, { type?: unknown }> =>
    ((schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {});
  if (api === 'anthropic') {
    const tools = list(b.tools).map((t) => ({ name: String(t.name), properties: props(t.input_schema) }));
    return { step: list(b.messages).filter((m) => m.role === 'assistant').length, tools };
  }
  if (api === 'responses') {
    const tools = list(b.tools).map((t) => ({ name: String(t.name ?? t.type), properties: props(t.parameters) }));
    const step = list(b.input).filter((i) => (i.type === 'message' && i.role === 'assistant') || i.type === 'function_call' || i.type === 'local_shell_call').length;
    return { step, tools };
  }
  if (api === 'gemini') {
    const tools = list(b.tools).flatMap((t) =>
      list(t.functionDeclarations).map((f) => ({ name: String(f.name), properties: props(f.parametersJsonSchema ?? f.parameters) })),
    );
    return { step: list(b.contents).filter((c) => c.role === 'model').length, tools };
  }
  const tools = list(b.tools).map((t) => {
    const f = (t.function ?? {}) as Record<string, unknown>;
    return { name: String(f.name), properties: props(f.parameters) };
  });
  return { step: list(b.messages).filter((m) => m.role === 'assistant').length, tools };
}

/** The shell tool's name and its arguments for `command`, shaped by the tool's own schema. */
function shellCall(tools: ToolInfo[], command: string, why: string): { name: string; args: Record<string, unknown> } {
  const tool = shellTools.map((name) => tools.find((t) => t.name === name)).find(Boolean)!;
  const args: Record<string, unknown> = {};
  const p = tool.properties;
  if ('cmd' in p) args.cmd = command;
  else if (p.command?.type === 'array') args.command = ['bash', '-lc', command];
  else args.command = command;
  if ('description' in p) args.description = why;
  if ('justification' in p) args.justification = why;
  // Codex: ask to run outside its sandbox, which is what makes it ask the human (on-request).
  if ('sandbox_permissions' in p) args.sandbox_permissions = 'require_escalated';
  return { name: tool.name, args };
}

const sse = (event: string | null, data: unknown): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function eventsFor(api: Api, step: Step, tools: ToolInfo[], n: number): string[] {
  const call = step.kind === 'shell' ? shellCall(tools, step.command, step.why) : undefined;
  const id = `call_${n}`;
  if (api === 'anthropic') {
    const usage = { input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const start = sse('message_start', {
      type: 'message_start',
      message: { id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage },
    });
    const blocks = call
      ? [
          sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${n}`, name: call.name, input: {} } }),
          sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.args) } }),
        ]
      : [
          sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
          sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: (step as { text: string }).text } }),
        ];
    return [
      start,
      ...blocks,
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: call ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }),
      sse('message_stop', { type: 'message_stop' }),
    ];
  }
  if (api === 'responses') {
    const item = call
      ? { type: 'function_call', id: `fc_${n}`, call_id: id, name: call.name, arguments: JSON.stringify(call.args) }
      : { type: 'message', id: `msg_${n}`, role: 'assistant', content: [{ type: 'output_text', text: (step as { text: string }).text, annotations: [] }] };
    const usage = { input_tokens: 100, input_tokens_details: null, output_tokens: 20, output_tokens_details: null, total_tokens: 120 };
    return [
      sse('response.created', { type: 'response.created', response: { id: `resp_${n}` } }),
      ...(call ? [] : [sse('response.output_text.delta', { type: 'response.output_text.delta', delta: (step as { text: string }).text, item_id: `msg_${n}`, output_index: 0, content_index: 0 })]),
      sse('response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }),
      sse('response.completed', { type: 'response.completed', response: { id: `resp_${n}`, usage } }),
    ];
  }
  if (api === 'gemini') {
    const part = call ? { functionCall: { name: call.name, args: call.args } } : { text: (step as { text: string }).text };
    const usageMetadata = { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 };
    return [
      sse(null, { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, index: 0 }], usageMetadata }),
      sse(null, { candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }], usageMetadata }),
    ];
  }
  const chunk = (delta: unknown, finish: string | null, extra: Record<string, unknown> = {}) =>
    sse(null, { id: `chatcmpl-${n}`, object: 'chat.completion.chunk', created: 0, model: 'stand-in', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  return [
    chunk({ role: 'assistant', content: '' }, null),
    call
      ? chunk({ tool_calls: [{ index: 0, id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] }, null)
      : chunk({ content: (step as { text: string }).text }, null),
    chunk({}, call ? 'tool_calls' : 'stop', { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } }),
    'data: [DONE]\n\n',
  ];
}

/** A non-streamed answer (a CLI that asked with `stream: false`). */
function wholeFor(api: Api, step: Step, tools: ToolInfo[], n: number): unknown {
  const call = step.kind === 'shell' ? shellCall(tools, step.command, step.why) : undefined;
  const text = step.kind === 'text' ? step.text : '';
  if (api === 'anthropic') {
    return {
      id: `msg_${n}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: call ? [{ type: 'tool_use', id: `toolu_${n}`, name: call.name, input: call.args }] : [{ type: 'text', text }],
      stop_reason: call ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20 },
    };
  }
  if (api === 'gemini') {
    const part = call ? { functionCall: { name: call.name, args: call.args } } : { text };
    return { candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 } };
  }
  const message = call
    ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${n}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] }
    : { role: 'assistant', content: text };
  return { id: `chatcmpl-${n}`, object: 'chat.completion', created: 0, model: 'stand-in', choices: [{ index: 0, message, finish_reason: call ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } };
}

/** Answers to requests outside the conversation: routers, next-speaker checks, titles, summaries. */
function side(api: Api, res: ServerResponse, record: RecordedRequest, b: Record<string, unknown>, path: string): void {
  // Gemini's router and next-speaker checks ask for JSON; one object serves both.
  const text = api === 'gemini' ? JSON.stringify({ reasoning: 'stand-in', model_choice: 'flash', next_speaker: 'user' }) : 'Stand-in title';
  const step: Step = { kind: 'text', text };
  const stream = api === 'gemini' ? path.includes('streamGenerateContent') : b.stream === true || api === 'responses';
  if (!stream) return json(res, record, 200, wholeFor(api, step, [], 0));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of eventsFor(api, step, [], 0)) res.write(event);
  res.end();
}
