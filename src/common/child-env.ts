/** Set beside NODE_ENV when citadel set it itself (production React in the workstation). */
export const NODE_ENV_MARKER = 'CITADEL_SET_NODE_ENV';

/**
 * The environment for a process citadel spawns: the person's, without a NODE_ENV that citadel
 * set for its own React — a NODE_ENV=production leaking into `npm test` or `npm ci` in the
 * person's project would change what those do.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env[NODE_ENV_MARKER] !== '1') return { ...env };
  const { NODE_ENV: _ours, [NODE_ENV_MARKER]: _marker, ...rest } = env;
  return rest;
}
