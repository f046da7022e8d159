import { modelContext, type ModelContext } from '../../model/context.js';
import type { Town } from '../../town/town.js';
import type { CliContext } from '../context.js';

/** The town a data command acts on, and the model context of its actor. */
export interface WorkSession {
  readonly town: Town;
  readonly model: ModelContext;
}

export function workSession(context: CliContext): WorkSession {
  const town = context.town();
  return { town, model: modelContext(town.actor, town.config.prefix) };
}
