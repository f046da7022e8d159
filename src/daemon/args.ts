import { CitadelError } from '../common/errors.js';

/** Reads verb arguments from the wire, with one clear error for anything missing or malformed. */
export function stringArg(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value === '') throw new CitadelError('invalid', `"${name}" must be a non-empty string`);
  return value;
}

export function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CitadelError('invalid', `"${name}" must be a string`);
  return value;
}

export function intArg(args: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = args[name];
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new CitadelError('invalid', `"${name}" must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

export function optionalInt(args: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  return args[name] === undefined || args[name] === null ? undefined : intArg(args, name, min, max);
}

export function argvArg(args: Record<string, unknown>, name: string): string[] {
  const value = args[name];
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string')) {
    throw new CitadelError('invalid', `"${name}" must be a non-empty array of strings (an argv, never a shell string)`);
  }
  return value as string[];
}

export function envArg(args: Record<string, unknown>, name: string): Record<string, string> | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new CitadelError('invalid', `"${name}" must be an object of strings`);
  }
  return value as Record<string, string>;
}
