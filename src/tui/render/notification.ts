/**
 * A desktop notification for the outer terminal, as `CITADEL_NOTIFY` asks (off by default):
 * `osc9` (iTerm2, WezTerm, kitty, Windows Terminal, foot…) or `osc777` (rxvt-unicode, VTE
 * terminals, Ghostty). Written to the terminal like the screen, so it reaches a person over
 * SSH. Control characters are taken out of the text: it must not end the sequence early.
 */
export function notification(kind: string | undefined, text: string): string {
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f;]/g, ' ');
  switch (kind?.trim().toLowerCase()) {
    case 'osc9':
    case '9':
      return `\x1b]9;${clean}\x07`;
    case 'osc777':
    case '777':
      return `\x1b]777;notify;citadel;${clean}\x07`;
    default:
      return '';
  }
}
