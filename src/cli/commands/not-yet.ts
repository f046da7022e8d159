import { CitadelError } from '../../common/errors.js';

/** The action of a command whose implementation has not landed yet. */
export const notYet = (name: string) => (): never => {
  throw new CitadelError('unavailable', `\`citadel ${name}\` is not implemented yet`);
};
