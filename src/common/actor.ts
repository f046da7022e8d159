/**
 * Who acts (docs/cli.md, "Actor"): $CITADEL_ACTOR, else the polecat's name inside a polecat
 * ($CITADEL_POLECAT), else the human overseer.
 */
export function resolveActor(env: NodeJS.ProcessEnv): string {
  const explicit = env.CITADEL_ACTOR?.trim();
  if (explicit) return explicit;
  const polecat = env.CITADEL_POLECAT?.trim();
  if (polecat) return polecat;
  return 'overseer';
}
