import { useInput } from 'ink';
import { keyName } from './key-name.js';
import type { Triage } from './use-triage.js';

/**
 * Feeds Ink's keyboard to the panels while `isActive` (the shell decides when the panels have
 * the keyboard; otherwise keys belong to the focused pane). A shell that reads keys itself calls
 * `triage.onKey(keyName(input, key), input)` instead.
 */
export function useTriageInput(triage: Triage, isActive: boolean): void {
  useInput((input, key) => {
    triage.onKey(keyName(input, key), input);
  }, { isActive });
}
