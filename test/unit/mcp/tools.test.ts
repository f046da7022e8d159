import { describe, expect, it } from 'vitest';
import { compactJson } from '../../../src/mcp/compact-json.js';
import { findTool, tools } from '../../../src/mcp/tools.js';
import { estimateTokens } from '../../helpers/mcp-tokens.js';

describe('MCP tools', () => {
  it('offer the fifteen tools (the mayor’s five included) in under 2,000 tokens', () => {
    expect(tools.map((t) => t.name)).toEqual([
      'ready', 'show', 'claim', 'update', 'close', 'done', 'mail_send', 'mail_inbox', 'mail_read', 'molecule_status', 'polecats', 'peek', 'sling', 'nudge', 'town',
    ]);
    const listed = JSON.stringify(tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })));
    const tokens = estimateTokens(listed);
    console.log(`MCP tool list: ${listed.length} chars ≈ ${tokens} tokens (budget 2,000)`);
    expect(tokens).toBeLessThanOrEqual(2_000);
  });

  it('map arguments to the CLI’s own command lines, values that look like flags kept as values', () => {
    expect(findTool('claim').argv({ id: 'ct-1' })).toEqual(['bead', 'update', '--claim', '--', 'ct-1']);
    expect(findTool('update').argv({ id: 'ct-1', status: 'blocked', body: '--force is wrong', add_labels: ['a', 'b'] })).toEqual([
      'bead', 'update', '--status=blocked', '--body=--force is wrong', '--add-label=a', '--add-label=b', '--', 'ct-1',
    ]);
    expect(findTool('ready').argv({})).toEqual(['ready', '--limit=10']);
    expect(findTool('sling').argv({ id: 'ct-1', agent: 'claude' })).toEqual(['sling', '--agent=claude', '--', 'ct-1']);
    expect(findTool('nudge').argv({ name: 'nux', text: '--help me' })).toEqual(['nudge', '--', 'nux', '--help me']);
    expect(findTool('peek').argv({ name: 'nux' })).toEqual(['polecat', 'peek', '--lines=0', '--', 'nux']);
    expect(findTool('town').argv({ action: 'start', max: 2 })).toEqual(['town', 'start', '--max=2']);
    expect(() => findTool('town').argv({ action: 'stop' })).toThrow('action must be start, pause or status');
    expect(findTool('mail_send').argv({ to: 'overseer', subject: 'help', reply_to: 'ct-m' })).toEqual([
      'mail', 'send', '--to=overseer', '--subject=help', '--reply-to=ct-m',
    ]);
  });

  it('refuse arguments of the wrong type with one clear line', () => {
    expect(() => findTool('show').argv({})).toThrow('id is required');
    expect(() => findTool('ready').argv({ limit: 'ten' })).toThrow('limit must be an integer');
    expect(() => findTool('nope')).toThrow(/unknown tool "nope"/);
  });

  it('compact JSON output: no nulls or empty fields, one line', () => {
    expect(compactJson('{\n  "id": "ct-1",\n  "assignee": null,\n  "labels": [],\n  "needs": ["", "x"]\n}\n')).toBe('{"id":"ct-1","needs":["","x"]}');
    expect(compactJson('plain text\n')).toBe('plain text');
    expect(compactJson('[]\n')).toBe('[]');
    expect(compactJson('null')).toBe('null');
  });
});
