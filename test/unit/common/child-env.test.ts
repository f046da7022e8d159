import { describe, expect, it } from 'vitest';
import { childEnv, NODE_ENV_MARKER } from '../../../src/common/child-env.js';

describe('childEnv', () => {
  it('drops the NODE_ENV citadel set for its own React, and its marker', () => {
    const env = childEnv({ PATH: '/bin', NODE_ENV: 'production', [NODE_ENV_MARKER]: '1' });
    expect(env).toEqual({ PATH: '/bin' });
  });

  it("keeps the person's own NODE_ENV", () => {
    expect(childEnv({ PATH: '/bin', NODE_ENV: 'test' })).toEqual({ PATH: '/bin', NODE_ENV: 'test' });
  });
});
