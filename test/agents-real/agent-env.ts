/**
 * What each real agent CLI needs to run offline against the stand-in: a scratch home with its
 * config files, and environment variables. Nothing here touches the real user's home.
 * (The facts behind each choice: /work/notes/agents-facts.md while issue 14 is open.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PACKAGES, binPath, type AgentName } from './install.js';
import { dirname } from 'node:path';

export const API_KEY = 'sk-stand-in-0123456789abcdefghij';

export interface AgentEnvOptions {
  /** A scratch directory owned by the test: the agent's HOME and config live in it. */
  home: string;
  /** The stand-in's base URL, http://127.0.0.1:PORT. */
  url: string;
  /** Folders to mark trusted (the town and its worktrees' parent), so no trust dialog shows. */
  trusted: string[];
}

/** Writes the agent's config files under `home` and returns the environment to run it with. */
export function agentEnv(agent: AgentName, options: AgentEnvOptions): NodeJS.ProcessEnv {
  const { home, url, trusted } = options;
  const pkg = AGENT_PACKAGES.find((p) => p.agent === agent)!;
  const common: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    // The CLI's own folder first, so the preset's bare name finds the pinned version.
    PATH: `${dirname(binPath(pkg))}:${process.env.PATH ?? ''}`,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  mkdirSync(home, { recursive: true });
  if (agent === 'claude') {
    const dir = join(home, '.claude');
    mkdirSync(dir, { recursive: true });
    const projects: Record<string, unknown> = {};
    for (const path of trusted) projects[path] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] };
    writeFileSync(
      join(dir, '.claude.json'),
      JSON.stringify(
        {
          hasCompletedOnboarding: true,
          theme: 'dark',
          // Claude asks once whether to use a key from the environment; approved by its last 20 characters.
          customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
          projects,
        },
        null,
        2,
      ),
    );
    // Claude's default mode is now "auto" (a classifier runs low-risk commands unasked): the tier
    // wants the classic prompt a polecat shows a human, so the user settings ask for "default".
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ permissions: { defaultMode: 'default', disableAutoMode: 'disable' } }, null, 2));
    return {
      ...common,
      CLAUDE_CONFIG_DIR: dir,
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: API_KEY,
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
  }
  if (agent === 'codex') {
    const dir = join(home, '.codex');
    mkdirSync(dir, { recursive: true });
    const projects = trusted.map((path) => `[projects.${JSON.stringify(path)}]\ntrust_level = "trusted"\n`).join('\n');
    writeFileSync(
      join(dir, 'config.toml'),
      [
        'model = "stand-in"',
        'model_provider = "standin"',
        // "untrusted" is refused by 0.171 ("no longer supported"); on-request asks when the model
        // requests escalation, which the stand-in does for every command.
        'approval_policy = "on-request"',
        'sandbox_mode = "workspace-write"',
        'check_for_update_on_startup = false',
        '',
        '[model_providers.standin]',
        'name = "stand-in"',
        `base_url = "${url}/v1"`,
        'wire_api = "responses"',
        'env_key = "STANDIN_API_KEY"',
        '',
        projects,
      ].join('\n'),
    );
    return { ...common, CODEX_HOME: dir, STANDIN_API_KEY: API_KEY };
  }
  if (agent === 'gemini') {
    const dir = join(home, '.gemini');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify(
        {
          security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: true } },
          general: { disableAutoUpdate: true, disableUpdateNag: true },
          privacy: { usageStatisticsEnabled: false },
        },
        null,
        2,
      ),
    );
    writeFileSync(join(dir, 'trustedFolders.json'), JSON.stringify(Object.fromEntries(trusted.map((p) => [p, 'TRUST_FOLDER'])), null, 2));
    return { ...common, GEMINI_API_KEY: API_KEY, GOOGLE_GEMINI_BASE_URL: url };
  }
  const dir = join(home, '.config', 'opencode');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'opencode.json'),
    JSON.stringify(
      {
        $schema: 'https://opencode.ai/config.json',
        autoupdate: false,
        share: 'disabled',
        model: 'standin/stand-in',
        small_model: 'standin/stand-in',
        provider: {
          standin: {
            npm: '@ai-sdk/openai-compatible',
            name: 'stand-in',
            options: { baseURL: `${url}/v1`, apiKey: API_KEY },
            models: { 'stand-in': { name: 'stand-in', tool_call: true } },
          },
        },
        permission: { bash: 'ask' },
      },
      null,
      2,
    ),
  );
  return { ...common, OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1' };
}
