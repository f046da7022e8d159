import { beadsOf } from '../../model/query.js';
import { readyQueue } from '../../model/ready.js';
import type { CliContext } from '../context.js';
import { beadList } from '../format/bead.js';
import { positiveInt } from './input.js';

/** `ready`: the ready queue, best first. */
export function readyAction(context: CliContext, options: { limit?: string; json?: boolean }): void {
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit, '--limit');
  const queue = readyQueue(beadsOf(context.town().journal.read()), limit === undefined ? {} : { limit });
  if (options.json) context.json(queue);
  else context.out(queue.length ? beadList(queue) : 'Nothing is ready: every open bead is claimed, blocked, or waiting on another.\n');
}
