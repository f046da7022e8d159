import type { Change, Entity, StateView } from '../journal/types.js';

/*
 * Validation records (docs/model.md, "Validations"): a verdict on a merge request is a journal
 * entity of its own, kind `validations`, never rewritten — who validated (by address), what
 * (the request, its branch commit, the bead, whose work), the verdict, and when. The refinery
 * writes one when it lands a request (with the commit of main it produced) and when it bounces
 * one; with config `review: "required"` the overseer's `citadel approve` / `citadel reject`
 * write one each. The CV's quality signals are read from these records.
 */

export const VALIDATION_KIND = 'validations';

/** `gates`: the refinery ran the gates (and landed or bounced); `review`: a person's verdict. */
export type ValidationStage = 'gates' | 'review';
export type ValidationVerdict = 'accepted' | 'rejected';

export interface GateRun {
  readonly argv: readonly string[];
  readonly ms: number;
  readonly code: number | null;
}

export interface ValidationRecord {
  /** `<merge request id>.v<n>`, n counting from 1 per request. */
  readonly id: string;
  readonly stage: ValidationStage;
  readonly verdict: ValidationVerdict;
  /** Who validated: its bare name in the town, and its address. */
  readonly validator: string;
  readonly validator_address: string;
  /** What: the merge request, its branch and the commit of the branch judged, the bead, whose work. */
  readonly merge_request: string;
  readonly branch: string | null;
  readonly branch_commit: string | null;
  readonly bead: string | null;
  readonly worker: string | null;
  readonly worker_address: string | null;
  /** main before, and the commit of main the landing produced (accepted by the gates only). */
  readonly main_before: string | null;
  readonly main_commit: string | null;
  /** The gates run, and the trust hash (sha256) of the commands as they ran (`fingerprint`, src/town/trust.ts). */
  readonly gates: readonly GateRun[];
  readonly gates_hash: string | null;
  /** Why it was rejected (one line). */
  readonly reason: string | null;
  /** A reviewer's words (approve --note, reject --reason). */
  readonly note: string | null;
  /** When (the mutation's time). */
  readonly at: string;
}

export type ValidationInput = Omit<ValidationRecord, 'id' | 'at'>;

/** The id the next validation of `mr` gets: `<mr>.v<n>`, the first free n. */
export function nextValidationId(state: StateView, mr: string): string {
  let n = 1;
  while (state.get(VALIDATION_KIND, `${mr}.v${n}`)) n++;
  return `${mr}.v${n}`;
}

/** The change that records a validation, for a mutation (its id drawn from `state`). */
export function validationChange(state: StateView, input: ValidationInput, at: string): { change: Change; record: ValidationRecord } {
  const record: ValidationRecord = { id: nextValidationId(state, input.merge_request), ...input, at };
  const what = input.stage === 'review' ? `review of ${input.merge_request}` : `${input.merge_request}`;
  const summary = `${input.validator} ${input.verdict} ${what}${input.main_commit ? ` as ${input.main_commit.slice(0, 10)}` : ''}${input.reason ? `: ${input.reason}` : ''}`;
  return { change: { kind: VALIDATION_KIND, id: record.id, entity: record as unknown as Entity, action: input.verdict === 'accepted' ? 'accept' : 'reject', summary }, record };
}

/** The validations of one merge request, oldest first. */
export function validationsOf(state: StateView, mr: string): ValidationRecord[] {
  const found: ValidationRecord[] = [];
  for (let n = 1; ; n++) {
    const record = state.get(VALIDATION_KIND, `${mr}.v${n}`) as ValidationRecord | undefined;
    if (!record) return found;
    found.push(record);
  }
}

/** The approval that lets `mr` land with its branch at `commit`: the latest review, if it accepted that commit. */
export function approvalFor(state: StateView, mr: string, commit: string): ValidationRecord | undefined {
  const reviews = validationsOf(state, mr).filter((v) => v.stage === 'review');
  const last = reviews.at(-1);
  return last && last.verdict === 'accepted' && last.branch_commit === commit ? last : undefined;
}

export const isValidationRecord = (entity: unknown): entity is ValidationRecord =>
  typeof entity === 'object' && entity !== null && typeof (entity as ValidationRecord).merge_request === 'string' && typeof (entity as ValidationRecord).verdict === 'string';
