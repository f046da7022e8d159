/**
 * The work model (docs/model.md): beads, the ready queue, mail, CVs, import/export. Pure: it
 * reads a journal `StateView` (or records) and returns `Mutator`s; callers run them with
 * `town.journal.mutate(…)`. No I/O here.
 */
export {
  BEAD_KIND,
  BEAD_STATUSES,
  BEAD_TYPES,
  CREATE_TYPES,
  DEFAULT_PRIORITY,
  MERGE_REQUEST_STATES,
  WORK_TYPES,
  isBeadStatus,
  isBeadType,
  isMergeRequestState,
  isPriority,
  isBeadOf,
  isMergeRequest,
  isMessage,
  isResource,
  isStep,
  isWork,
  type Bead,
  type BeadOf,
  type BeadStatus,
  type BeadType,
  type MailFields,
  type MergeRequestBead,
  type MergeRequestFields,
  type MergeRequestState,
  type MessageBead,
  type MoleculeStepFields,
  type Priority,
  type ResourceBead,
  type StepBead,
  type StepRole,
  type WorkBead,
} from './bead.js';
export { modelContext, type ModelContext } from './context.js';
export { generateBeadId, idCandidates, idLengthFor, isBeadId, stepId } from './ids.js';
export { checkActor, checkId, checkLabel, checkStatus, checkTitle, checkType, parsePriority } from './validate.js';
export { EVERYONE, SPECIAL_ADDRESSES, checkAddress } from './address.js';
export { cycleIfNeeds, cycleIfParent, describeCycle, findNeedsCycle, needsPath, type BeadLookup } from './graph.js';
export { BeadTransaction, transact, type BeadPatch, type CreateBeadInput, type SendMailInput } from './transaction.js';
export {
  addNeed,
  claimBead,
  closeBead,
  createBead,
  markMailRead,
  releaseBead,
  removeNeed,
  sendMail,
  setMergeRequestState,
  updateBead,
} from './operations.js';
export { blockedAncestor, compareReady, isBlocked, openNeeds, parentIds, readyQueue, whyNotReady, type ReadyOptions } from './ready.js';
export { compareAge, compareIds, idOrderKey } from './order.js';
export { beadsOf, byPriorityThenAge, childrenOf, dependentsOf, getBead, listBeads, type BeadFilter } from './query.js';
export { inbox, isAddressedTo, isUnread, threadOf, type InboxOptions } from './mail.js';
export { buildCv, type Cv, type CvEntry, type CvOptions } from './cv.js';
export { parseImport } from './import/parse.js';
export { importBeads, type ImportNote, type ImportSummary } from './import/apply.js';
export type { ImportDraft, ParsedImport } from './import/draft.js';
export { exportLines } from './export.js';
export {
  capacityOf,
  deferredUntil,
  fullResource,
  isDeferred,
  isPinned,
  parseInterval,
  parseTime,
  recurrenceOf,
  resourceHolders,
  skillsNeeded,
  usesOf,
  type ScheduledBead,
} from './schedule.js';
