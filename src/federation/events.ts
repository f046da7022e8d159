import type { Entity } from '../journal/types.js';

/**
 * One exported write: a record of this town's journal, as it travels in a chunk. It carries its
 * origin (`o` town, `s` that town's journal seq, `c` its hybrid logical clock), the whole bead
 * after the write (`e`), and the fields the write changed with the hash of the value each one
 * replaced (`f`): a receiver applies only those fields, and tells a concurrent edit (its own
 * value is not the one replaced) from a later one.
 */
export interface FedEvent {
  readonly o: string;
  readonly s: number;
  readonly c: string;
  readonly k: string;
  readonly i: string;
  readonly a: string;
  readonly w: string;
  readonly t: string;
  readonly sm?: string;
  readonly e: Entity;
  readonly f: Readonly<Record<string, string>>;
}

/** The first line of a chunk. */
export interface ChunkHeader {
  readonly chunk: 1;
  readonly town: string;
  readonly gen: number;
  readonly from: number;
  readonly to: number;
  readonly events: number;
}

export function chunkText(header: ChunkHeader, events: readonly FedEvent[]): string {
  let text = `${JSON.stringify(header)}\n`;
  for (const event of events) text += `${JSON.stringify(event)}\n`;
  return text;
}

/** Parses a chunk; a line that is not a well-formed event of `town` is returned in `bad` (never applied). */
export function parseChunk(text: string, town: string): { header: ChunkHeader | undefined; events: FedEvent[]; bad: string[] } {
  const lines = text.split('\n');
  const events: FedEvent[] = [];
  const bad: string[] = [];
  let header: ChunkHeader | undefined;
  lines.forEach((line, index) => {
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad.push(`line ${index + 1}: not JSON`);
      return;
    }
    if (index === 0) {
      header = value as ChunkHeader;
      return;
    }
    const event = value as FedEvent;
    if (
      typeof event !== 'object' || event === null || event.o !== town || !Number.isSafeInteger(event.s) || event.s < 1 ||
      typeof event.c !== 'string' || typeof event.k !== 'string' || typeof event.i !== 'string' || typeof event.a !== 'string' ||
      typeof event.e !== 'object' || event.e === null || Array.isArray(event.e) || event.e.id !== event.i ||
      typeof event.f !== 'object' || event.f === null || Array.isArray(event.f)
    ) {
      bad.push(`line ${index + 1}: not an event of town ${town}`);
      return;
    }
    events.push(event);
  });
  return { header, events, bad };
}
