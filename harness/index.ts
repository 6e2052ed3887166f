// The public entry point of sysext-lab: everything scenarios and integrators may use.
export { TartBackend, type TartBackendOptions, tartBackendDefaults } from './backends/tart-backend.ts';
export type { VmBackend, VmInfo } from './backends/vm-backend.ts';
export { checkExtensionState } from './checks/extension-state.ts';
export { checkXpcEndpointRegistered } from './checks/xpc-endpoint-registered.ts';
export {
  CheckFailedError,
  CommandError,
  ConfigError,
  HostCommandError,
  InterruptedError,
  WaitTimeoutError,
} from './errors.ts';
export type { BundleInfo } from './macos/bundle-info.ts';
export type { InstalledBuild } from './macos/install-build.ts';
export { networkExtensionJobLabel } from './macos/launchd.ts';
export { ParseError } from './parse/parse-error.ts';
export { parseByKind, parseKinds, UnknownParseKindError } from './parse/registry.ts';
export { parseUnifiedLogStream } from './parse/unified-log-stream.ts';
export { type RunOptions, runCommand, runDefaults } from './run-command.ts';
export { defineScenario, type FailureSignature, type Scenario } from './scenario/define-scenario.ts';
export type { IterationResult, Outcome, RunEvent } from './scenario/events.ts';
export type { ScenarioContext } from './scenario/scenario-context.ts';
export { type ExecResult, GuestSession, type SshEndpoint } from './ssh/guest-session.ts';
export { quoteArg, shellCommand } from './ssh/shell-quote.ts';
