import { renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { CitadelError, isCitadelError, usage } from '../../common/errors.js';
import { visibleLine } from '../../common/visible-text.js';
import { buildProof, checkProof, headMessage, townChainAt, type CheckedProof, type CvProofFile } from '../../ledger/cv-proof.js';
import { signMessage, SIGN_NAMESPACE, verifySignature } from '../../ledger/ssh-sign.js';
import { entityAddress, isEntityAddress } from '../../model/address.js';
import { buildCv } from '../../model/cv.js';
import { checkActor } from '../../model/validate.js';
import type { Town } from '../../town/town.js';
import type { CliContext } from '../context.js';
import { cvText } from '../format/cv.js';
import { profileFrom, profileText, shape, type CvOptions } from './cv-action.js';
import { readInput } from './input.js';

/** A principal as ssh-keygen takes it after -I: never an option, no spaces or commas (allowed-signers syntax). */
function checkPrincipal(value: string): string {
  if (!/^[A-Za-z0-9_][^\s,"]{0,127}$/.test(value)) throw usage(`bad --principal ${JSON.stringify(value)}: a name such as an email, starting with a letter, digit or _; no spaces or commas`);
  return value;
}

/** `cv ACTOR --export FILE [--sign KEY [--principal ID]]`: the actor's portable CV. */
export async function exportCvAction(context: CliContext, town: Town, actor: string, file: string, options: CvOptions): Promise<void> {
  const headSeq = town.journal.read().seq;
  let proof: CvProofFile = buildProof(town.paths.journal, actor, headSeq, town.config.name, entityAddress(town.config.name, actor));
  if (options.sign !== undefined) {
    // An absolute path: a key named "-x" is a file, never an option of ssh-keygen.
    const key = resolve(context.cwd, options.sign);
    const principal = options.principal === undefined ? null : checkPrincipal(options.principal);
    proof = { ...proof, signature: { namespace: SIGN_NAMESPACE, principal, armored: signMessage(headMessage(proof), key, context.env) } };
  } else if (options.principal !== undefined) throw usage('--principal goes with --sign (export) or --verify');
  const target = writeExport(context.cwd, file, `${JSON.stringify(proof, null, 2)}\n`);
  const digests = Buffer.from(proof.path, 'base64').length / 32;
  const summary = {
    file: target,
    actor,
    records: proof.records.length,
    from: proof.from,
    head: proof.head,
    path_digests: digests,
    repaired: proof.repaired.length,
    unchained: proof.unchained,
    signed: proof.signature !== undefined,
  };
  if (options.json) {
    context.json(summary);
    return;
  }
  const lines = [
    `Exported ${actor}'s CV to ${target}: ${proof.records.length} record(s) from seq ${proof.from}, and ${digests} digest(s) of the path to the town's head at seq ${proof.head.seq} (${proof.head.chain.slice(0, 16)}…)`,
    ...(proof.signature ? [`head signed with ${options.sign}${proof.signature.principal ? ` as ${proof.signature.principal}` : ''} (ssh-keygen, namespace ${SIGN_NAMESPACE})`] : []),
    ...(proof.unchained ? [`${proof.unchained} earlier record(s) predate the town's hash chain and are not in the file`] : []),
  ];
  context.out(`${lines.map(visibleLine).join('\n')}\n`);
}

/** `cv --verify FILE [--allowed-signers FILE [--principal ID]]`: checks a portable CV offline. */
export async function verifyCvAction(context: CliContext, actor: string | undefined, file: string, options: CvOptions): Promise<void> {
  if (options.export !== undefined || options.sign !== undefined) throw usage('--verify checks a file: not with --export or --sign');
  if (options.principal !== undefined && options.allowedSigners === undefined) throw usage('--principal with --verify goes with --allowed-signers FILE');
  const path = resolve(context.cwd, file);
  const text = readInput(file, context.cwd, 'the CV');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CitadelError('invalid', `${path} does not verify: not JSON (${(error as Error).message})`);
  }
  const checked = checkProof(value, path);
  const proof = checked.file;
  // ACTOR, when given, must be whose CV it is: a bare name, or the address the file names.
  if (actor !== undefined && (isEntityAddress(actor) ? actor.trim() !== proof.address : checkActor(actor, 'actor') !== proof.actor)) {
    throw new CitadelError('invalid', `${path} does not verify: it is ${proof.address}'s CV, not ${actor}'s`);
  }

  // The head: signed by a key the user trusts, or this town's own chain at that seq.
  let anchor: { kind: 'signature'; principal: string; detail: string } | { kind: 'town'; town_seq: number; detail: string };
  let root: string | undefined;
  if (options.allowedSigners !== undefined) {
    if (!proof.signature || typeof proof.signature.armored !== 'string') throw new CitadelError('invalid', `${path} does not verify: its head is not signed (export it with --sign KEY), and --allowed-signers was given`);
    const principal = options.principal !== undefined ? checkPrincipal(options.principal) : typeof proof.signature.principal === 'string' ? checkPrincipal(proof.signature.principal) : null;
    const signed = verifySignature(headMessage(proof), proof.signature.armored, resolve(context.cwd, options.allowedSigners), principal, context.env, path);
    anchor = { kind: 'signature', principal: signed.principal, detail: signed.line };
  } else {
    let town: Town;
    try {
      town = context.town();
    } catch (error) {
      if (isCitadelError(error) && error.code === 'no_town') {
        throw new CitadelError('invalid', `${path}: nothing to check its head against here: run \`citadel cv --verify\` inside the town it came from, or pass --allowed-signers FILE for its signed head`);
      }
      throw error;
    }
    const townSeq = town.journal.read().seq;
    const chain = proof.head.seq <= townSeq ? townChainAt(town.paths.journal, proof.head.seq) : undefined;
    if (chain === undefined) throw new CitadelError('invalid', `${path} does not verify: this town's journal ends at seq ${townSeq}, before the file's head at seq ${proof.head.seq} (a CV from another town?)`);
    if (chain !== proof.head.chain) throw new CitadelError('invalid', `${path} does not verify: its head (seq ${proof.head.seq}) is not this town's chain at that seq (${chain.slice(0, 16)}… here, ${proof.head.chain.slice(0, 16)}… in the file): another town's CV, or this town's journal was rewritten`);
    anchor = { kind: 'town', town_seq: townSeq, detail: `matches this town's chain at seq ${proof.head.seq}${townSeq > proof.head.seq ? ` (the town is at seq ${townSeq} now)` : ''}` };
    root = town.paths.root;
  }
  await report(context, checked, anchor, root, options);
}

async function report(context: CliContext, checked: CheckedProof, anchor: { kind: string; detail: string }, root: string | undefined, options: CvOptions): Promise<void> {
  const { file: proof, records } = checked;
  // Everything below is recomputed from the verified records (never read from the file's claims).
  const cv = buildCv(records, proof.actor, { recent: 10, town: proof.town });
  const { profile } = await profileFrom(records, proof.actor, root);
  const extra = shape(profile);
  if (options.json) {
    context.json({ verified: true, actor: proof.actor, address: proof.address, town: proof.town, records: records.length, from: proof.from, head: proof.head, anchor, repaired: checked.repaired, unchained: proof.unchained, cv: { ...cv, ...extra } });
    return;
  }
  const lines = [
    `Verified: ${records.length} record(s) of ${proof.actor} (${proof.address}), seq ${proof.from}–${records.at(-1)!.seq}, chained to the head at seq ${proof.head.seq}`,
    `head: ${anchor.detail}`,
    ...(checked.repaired.length ? [`the path passes ${checked.repaired.length} record(s) doctor --repair wrote for lost ones (seq ${checked.repaired.join(', ')})`] : []),
    ...(proof.unchained ? [`${proof.unchained} earlier record(s) predate the town's hash chain: not in the file`] : []),
    'derived from these records alone:',
  ];
  context.out(`${lines.map(visibleLine).join('\n')}\n\n${cvText(cv)}${profileText(extra)}`);
}

/** Writes FILE whole (temp file + rename), or into a device/pipe as it is; one line on failure. */
function writeExport(cwd: string, file: string, text: string): string {
  const target = resolve(cwd, file);
  let existing: Stats | undefined;
  try {
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  const temporary = existing && !existing.isFile() ? undefined : `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary ?? target, text);
    if (temporary) renameSync(temporary, target);
  } catch (error) {
    if (temporary) rmSync(temporary, { force: true });
    throw new CitadelError('io', `cannot write ${target}: ${(error as Error).message}`);
  }
  return target;
}
