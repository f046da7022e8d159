import { render, type Instance } from 'ink';
import { Chrome, type ChromeProps } from './Chrome.js';

/** Ink rendering the chrome into the compositor's virtual stdout. Loaded lazily: Ink's import is slow. */
export interface InkChrome {
  render(props: ChromeProps): void;
  unmount(): void;
}

export function mountInkChrome(stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream, props: ChromeProps): InkChrome {
  const instance: Instance = render(<Chrome {...props} />, {
    stdout,
    stdin,
    // Debug mode: every render is one whole frame handed to the compositor; Ink never writes
    // the terminal, so its full-height repaint trap cannot happen.
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
    // Only effective outside debug mode; kept so a change of mode cannot bring the trap back.
    maxFps: 30,
    incrementalRendering: true,
  });
  return {
    render: (next) => instance.rerender(<Chrome {...next} />),
    unmount: () => instance.unmount(),
  };
}
