/**
 * The scripted agent's look: colored lines and a spinner, like an AI coding agent's. On a
 * terminal the spinner animates in place; elsewhere (a pipe, a log) each step is one line.
 */
export interface AgentOutput {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
}

const codes = { dim: 2, bold: 1, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const;
export type Style = keyof typeof codes;

export function paint(out: AgentOutput, style: Style, text: string): string {
  return out.color ? `\x1b[${codes[style]}m${text}\x1b[0m` : text;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Shows `label` with a spinner while `work` runs, then a ✓ (or ✗ when it throws). */
export async function withSpinner<T>(out: AgentOutput, label: string, work: () => Promise<T>): Promise<T> {
  let frame = 0;
  const timer = out.isTTY
    ? setInterval(() => out.write(`\r${paint(out, 'cyan', frames[frame++ % frames.length]!)} ${label}`), 80)
    : undefined;
  if (out.isTTY) out.write(`${paint(out, 'cyan', frames[0]!)} ${label}`);
  try {
    const value = await work();
    if (timer) clearInterval(timer);
    out.write(`${out.isTTY ? '\r\x1b[K' : ''}${paint(out, 'green', '✓')} ${label}\n`);
    return value;
  } catch (error) {
    if (timer) clearInterval(timer);
    out.write(`${out.isTTY ? '\r\x1b[K' : ''}${paint(out, 'red', '✗')} ${label}\n`);
    throw error;
  }
}
