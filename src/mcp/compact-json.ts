/**
 * Re-prints a command's JSON output for an agent's context: one line, without null fields,
 * empty lists or empty strings (absent means the same, for fewer tokens). Text that is not
 * JSON is returned trimmed.
 */
export function compactJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim();
  }
  return (
    JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      // Only object fields are dropped: in an array, undefined would print as null; the top level stays.
      if (key !== '' && !Array.isArray(this) && (v === null || v === '' || (Array.isArray(v) && v.length === 0))) return undefined;
      return v;
    }) ?? 'null'
  );
}
