import { CitadelError } from '../common/errors.js';
import type { SpawnPty } from '../pty/pty.js';
import type { Town } from '../town/town.js';
import { argvArg, envArg, intArg, optionalInt, optionalString, stringArg } from './args.js';
import { PaneRegistry } from './pane-registry.js';
import { PolecatRunner } from './polecat-runner.js';
import type { Handler } from './server.js';
import { Witness } from './witness.js';
import { timingsFrom, type WitnessTimings } from './witness-rules.js';

const PANE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DaemonCoreOptions {
  town: Town;
  spawnPty: SpawnPty;
  /** The environment polecats inherit (the daemon's own). */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  witnessTimings?: WitnessTimings;
}

/**
 * What the daemon does, apart from its socket: the panes, the polecats in them, the witness,
 * and one handler per protocol verb (protocol.ts).
 */
export class DaemonCore {
  readonly panes: PaneRegistry;
  readonly polecats: PolecatRunner;
  readonly witness: Witness;
  readonly startedAt = new Date();

  constructor(private readonly options: DaemonCoreOptions) {
    this.panes = new PaneRegistry(options.spawnPty, options.town.config.scrollback);
    this.polecats = new PolecatRunner(options.town, this.panes, options.env, options.log);
    this.witness = new Witness(options.town, this.panes, this.polecats, options.witnessTimings ?? timingsFrom(options.town.config), options.log);
  }

  /** The verbs, for the server. `status` and `stop` are added by the server's owner. */
  handlers(): Record<string, Handler> {
    return {
      list: () => this.panes.list(),
      subscribe: (args, connection) => {
        const id = stringArg(args, 'pane');
        const pane = this.panes.get(id);
        connection.subscriptions.get(id)?.dispose();
        connection.subscriptions.set(id, pane.subscribe({ frame: (frame) => connection.sendFrame(frame) }));
        return this.panes.info(id);
      },
      unsubscribe: (args, connection) => {
        const id = stringArg(args, 'pane');
        connection.subscriptions.get(id)?.dispose();
        connection.subscriptions.delete(id);
        return null;
      },
      scrollback: (args) => {
        const pane = this.panes.get(stringArg(args, 'pane'));
        const screen = pane.screen;
        // `above: N`: the screen and the N lines above it (peek); else `from`/`count` over the whole buffer.
        const above = optionalInt(args, 'above', 0, 1_000_000);
        const count = above !== undefined ? pane.rows + above : (optionalInt(args, 'count', 1, 1_000_000) ?? screen.length);
        const from =
          above !== undefined ? Math.max(0, screen.baseY - above) : (optionalInt(args, 'from', 0, Number.MAX_SAFE_INTEGER) ?? Math.max(0, screen.length - count));
        return {
          pane: pane.id,
          cols: pane.cols,
          rows: pane.rows,
          total: screen.length,
          baseY: screen.baseY,
          lines: screen.lines(from, count, args.plain === true),
        };
      },
      input: (args) => {
        const data = args.data;
        if (typeof data !== 'string') throw new CitadelError('invalid', '"data" must be a string');
        const pane = this.panes.get(stringArg(args, 'pane'));
        if (!pane.running) throw new CitadelError('refused', `pane ${pane.id} has exited: restart it first`);
        pane.input(data);
        return null;
      },
      resize: (args) => {
        this.panes.resize(stringArg(args, 'pane'), intArg(args, 'cols', 2, 1000), intArg(args, 'rows', 1, 500));
        return null;
      },
      spawn: async (args) => {
        const size = { cols: optionalInt(args, 'cols', 2, 1000), rows: optionalInt(args, 'rows', 1, 500) };
        const polecat = optionalString(args, 'polecat');
        if (polecat) {
          await this.polecats.spawn(polecat, size);
          return this.panes.info(polecat);
        }
        const id = stringArg(args, 'id');
        if (!PANE_ID.test(id)) throw new CitadelError('invalid', `invalid pane id ${JSON.stringify(id)}: letters, digits, ".", "_", "-"`);
        const env = envArg(args, 'env');
        this.panes.spawn({
          id,
          argv: argvArg(args, 'argv'),
          cwd: optionalString(args, 'cwd') ?? this.options.town.paths.root,
          env: { ...this.options.env, ...env },
          ...(size.cols ? { cols: size.cols } : {}),
          ...(size.rows ? { rows: size.rows } : {}),
        });
        return this.panes.info(id);
      },
      kill: async (args) => {
        const id = stringArg(args, 'pane');
        await this.panes.kill(id);
        await this.polecats.settled(id);
        if (args.remove === true) await this.panes.remove(id);
        return null;
      },
      restart: async (args) => {
        const id = stringArg(args, 'pane');
        const spec = this.panes.has(id) ? this.panes.spec(id) : undefined;
        if (!spec || spec.polecat) await this.polecats.restart(id);
        else await this.panes.restart(id);
        return this.panes.info(id);
      },
    };
  }

  /** Starts the witness and brings back the polecats a previous daemon left. */
  async start(): Promise<string[]> {
    const recovered = await this.polecats.recover();
    this.witness.start();
    return recovered;
  }

  async stop(): Promise<void> {
    this.witness.stop();
    await this.polecats.stop();
  }
}
