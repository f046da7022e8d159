import { beadsOf } from '../../model/query.js';
import { readyQueue } from '../../model/ready.js';
import type { CliContext } from '../context.js';
import { beadList } from '../format/bead.js';
import { pageSize } from './input.js';

/** `ready`: the ready queue, best first; a page of it unless `--all` (docs/cli.md, "Pages"). */
export function readyAction(context: CliContext, options: { limit?: string; all?: boolean; json?: boolean }): void {
  const limit = pageSize(options);
  // One more than the page tells the text output whether to say there is more.
  const queue = readyQueue(beadsOf(context.town().journal.read()), limit === undefined ? {} : { limit: limit + 1 });
  const more = limit !== undefined && queue.length > limit;
  const page = more ? queue.slice(0, limit) : queue;
  if (options.json) context.json(page);
  else if (page.length === 0) context.out('Nothing is ready: every open bead is claimed, blocked, or waiting on another.\n');
  else context.out(beadList(page) + (more ? `(the first ${limit}: more are ready; --limit N or --all for more)\n` : ''));
}
