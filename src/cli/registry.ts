import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { register as agent } from './commands/agent.js';
import { register as attach } from './commands/attach.js';
import { register as bead } from './commands/bead.js';
import { register as cv } from './commands/cv.js';
import { register as daemon } from './commands/daemon.js';
import { register as demo } from './commands/demo.js';
import { register as doctor } from './commands/doctor.js';
import { register as done } from './commands/done.js';
import { register as hook } from './commands/hook.js';
import { register as init } from './commands/init.js';
import { register as mail } from './commands/mail.js';
import { register as mcp } from './commands/mcp.js';
import { register as molecule } from './commands/molecule.js';
import { register as nudge } from './commands/nudge.js';
import { register as polecat } from './commands/polecat.js';
import { register as prime } from './commands/prime.js';
import { register as ready } from './commands/ready.js';
import { register as refinery } from './commands/refinery.js';
import { register as sling } from './commands/sling.js';
import { register as workstation } from './commands/workstation.js';

/**
 * Every command module, in help order. A module registers its command's names, options and
 * help, and loads whatever its action needs lazily (`await import(...)`) — never at the top:
 * every module here is imported on every CLI call.
 */
export const commandModules: ReadonlyArray<(program: Command, context: CliContext) => void> = [
  workstation,
  init,
  demo,
  attach,
  bead,
  ready,
  sling,
  polecat,
  nudge,
  done,
  refinery,
  mail,
  molecule,
  cv,
  prime,
  doctor,
  daemon,
  mcp,
  agent,
  hook,
];
