import { CitadelError } from '../common/errors.js';
import type { SpawnPty } from '../pty/pty.js';
import type { Town } from '../town/town.js';
import { PaneRegistry } from './pane-registry.js';
import { PolecatRunner } from './polecat-runner.js';
import { RemoteHosts } from '../remote/remote-hosts.js';
import { parseArgs, type Args, type Result, type Verb } from './protocol.js';
import type { Connection, Handler } from './server.js';
import { Witness } from './witness.js';
import { timingsFrom, type WitnessTimings } from './witness-rules.js';

/** One verb's handler: its arguments already checked by `parseArgs`, its answer typed by the verb map. */
export type VerbHandler<V extends Verb> = (args: Args<V>, connection: Connection) => Result<V> | Promise<Result<V>>;

/** The daemon's handler table, typed by protocol.ts's `VerbMap`: one handler per verb, none missing. */
export type VerbHandlers = { [V in Verb]: VerbHandler<V> };

/** The verbs the daemon's owner (run.ts) answers: they are about the process, not the panes. */
export type ProcessVerb = 'status' | 'stop';

/**
 * The server's table from the typed one: every request's arguments pass the verb's check
 * (`parseArgs`, protocol.ts) before its handler runs, so a malformed request is one `invalid`
 * answer naming the argument and a handler never sees it.
 */
export function verbTable(handlers: VerbHandlers): Record<string, Handler> {
  const table: Record<string, Handler> = {};
  const add = <V extends Verb>(verb: V): void => {
    const parse = parseArgs[verb];
    const handler: VerbHandler<V> = handlers[verb];
    table[verb] = (args, connection) => {
      if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new CitadelError('invalid', `"args" of ${verb} must be an object`);
      return handler(parse(args), connection);
    };
  };
  for (const verb of Object.keys(parseArgs) as Verb[]) add(verb);
  return table;
}

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
  /** Polecats on remote hosts, over the user's ssh (src/remote, docs/remote.md). */
  readonly remote: RemoteHosts;
  readonly startedAt = new Date();
  /** Connections that asked for a pane size (their sizes are forgotten when they close). */
  private readonly sized = new Set<number>();

  constructor(private readonly options: DaemonCoreOptions) {
    this.remote = new RemoteHosts(options.town, options.env, options.log);
    this.panes = new PaneRegistry(this.remote.wrapSpawn(options.spawnPty), options.town.config.scrollback);
    this.polecats = new PolecatRunner(options.town, this.panes, options.env, options.log);
    this.polecats.remote = this.remote;
    this.witness = new Witness(options.town, this.panes, this.polecats, options.witnessTimings ?? timingsFrom(options.town.config), options.log);
  }

  /** The panes' verbs (`status` and `stop` are added by the daemon's owner, run.ts; `verbTable` serves them). */
  handlers(): Omit<VerbHandlers, ProcessVerb> {
    return {
      list: () => this.panes.list(),
      subscribe: ({ pane: id }, connection) => {
        const pane = this.panes.get(id);
        connection.subscriptions.get(id)?.dispose();
        connection.subscriptions.set(id, pane.subscribe({ frame: (frame) => connection.sendFrame(frame) }));
        return this.panes.info(id);
      },
      unsubscribe: ({ pane: id }, connection) => {
        connection.subscriptions.get(id)?.dispose();
        connection.subscriptions.delete(id);
        return null;
      },
      scrollback: (args) => {
        const pane = this.panes.get(args.pane);
        const screen = pane.screen;
        // `above: N`: the screen and the N lines above it (peek); else `from`/`count` over the whole buffer.
        const { above } = args;
        const count = above !== undefined ? pane.rows + above : (args.count ?? screen.length);
        const from = above !== undefined ? Math.max(0, screen.baseY - above) : (args.from ?? Math.max(0, screen.length - count));
        return {
          pane: pane.id,
          cols: pane.cols,
          rows: pane.rows,
          total: screen.length,
          baseY: screen.baseY,
          lines: screen.lines(from, count, args.plain === true),
          wrapped: screen.wrappedLines(from, count),
        };
      },
      input: ({ pane: id, data }, connection) => {
        const pane = this.panes.get(id);
        if (!pane.running) throw new CitadelError('refused', `pane ${pane.id} has exited: restart it first`);
        pane.input(data);
        this.panes.clientActive(connection.id);
        return null;
      },
      resize: ({ pane, cols, rows }, connection) => {
        // Per client, tmux's `window-size latest` (pane-registry.ts requestSize): a client that leaves gives its panes back.
        if (!this.sized.has(connection.id)) {
          this.sized.add(connection.id);
          connection.onClose(() => {
            this.sized.delete(connection.id);
            this.panes.clientGone(connection.id);
          });
        }
        this.panes.requestSize(pane, connection.id, cols, rows);
        return null;
      },
      spawn: async (args) => {
        const size = { ...(args.cols ? { cols: args.cols } : {}), ...(args.rows ? { rows: args.rows } : {}) };
        if ('polecat' in args) {
          await this.polecats.spawn(args.polecat, size);
          return this.panes.info(args.polecat);
        }
        this.panes.spawn({ id: args.id, argv: args.argv, cwd: args.cwd ?? this.options.town.paths.root, env: { ...this.options.env, ...args.env }, ...size });
        return this.panes.info(args.id);
      },
      kill: async ({ pane: id, remove }) => {
        await this.panes.kill(id);
        await this.polecats.settled(id);
        if (remove === true) await this.panes.remove(id);
        return null;
      },
      restart: async ({ pane: id }) => {
        const spec = this.panes.has(id) ? this.panes.spec(id) : undefined;
        if (!spec || spec.polecat) await this.polecats.restart(id);
        else await this.panes.restart(id);
        return this.panes.info(id);
      },
    };
  }

  /** Starts the witness and brings back the polecats a previous daemon left. */
  async start(): Promise<string[]> {
    await this.remote.start();
    const recovered = await this.polecats.recover();
    this.witness.start();
    return recovered;
  }

  async stop(): Promise<void> {
    this.witness.stop();
    await this.polecats.stop();
    await this.remote.stop();
  }
}
