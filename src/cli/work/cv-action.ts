import { buildCv } from '../../model/cv.js';
import { checkActor } from '../../model/validate.js';
import type { CliContext } from '../context.js';
import { cvText } from '../format/cv.js';
import { positiveInt } from './input.js';

/** `cv [ACTOR]`: the actor's work history from the journal (default: whoever asks). */
export function cvAction(context: CliContext, actor: string | undefined, options: { recent?: string; json?: boolean }): void {
  const town = context.town();
  const who = actor === undefined ? town.actor : checkActor(actor, 'actor');
  const recent = options.recent === undefined ? 10 : positiveInt(options.recent, '--recent');
  const cv = buildCv(town.journal.records(), who, { recent });
  if (options.json) context.json(cv);
  else context.out(cvText(cv));
}
