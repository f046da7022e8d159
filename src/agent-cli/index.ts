/**
 * Agents as users of citadel (docs/agents.md): priming, the agents' own status hooks, and the
 * witness's rule for preferring what an agent reports over what its screen shows.
 */
export { installAgentHooks, launchWithHooks, hookKindFor, withHookArgs, presetHookKinds, claudeSettingsPath, type HookKind, type InstallOptions, type InstalledHooks } from './install-hooks.js';
export { preferReported, reportedStatus, hookEventName, hookEvents, type HookEvent, type ReportedFields, type ReportedStatus } from './reported-status.js';
export { recordReport, type RecordReport, type RecordOutcome } from './record-status.js';
export { primeFor } from './prime-for-town.js';
export { primeContext, type PrimeContext, type PrimeWho } from './prime-context.js';
export { renderPrime } from './prime.js';
export { claudeHooks, mergeClaudeSettings, claudeAllowed } from './claude-hooks.js';
export { codexNotifyArgs, parseCodexPayload } from './codex-notify.js';
export { prepareTrust, applyTrust, describeTrust, recordTrust, trustsWorktrees, trustableAgents, type TrustableAgent } from './agent-trust.js';
export { codexEvents, mergeCodexHooks } from './codex-hooks.js';
export { geminiEvents, geminiSettings } from './gemini-hooks.js';
export { opencodePlugin, opencodeConfigContent } from './opencode-plugin.js';
