export type { Change, Entity, Fold, FoldReader, FoldStore, Journal, JournalOptions, JournalRecord, MutationResult, Mutator, StateView } from './types.js';
export { openJournal, type JournalInternals } from './journal.js';
export type { RecoveryEvent } from './recovery.js';
// Doctor and repair (src/journal/doctor.ts, repair.ts) are imported directly by `citadel doctor`,
// so data commands do not load them.
