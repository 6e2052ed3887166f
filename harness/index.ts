// The public entry point of sysext-lab: everything scenarios and integrators may use.
export { TartBackend, type TartBackendOptions, tartBackendDefaults } from './backends/tart/tart-backend.ts';
export type { VmBackend, VmInfo } from './backends/vm-backend.ts';
export { checkExtensionState } from './checks/extension-state.ts';
export { checkFlowsSeen, defaultFlowPredicate, type FlowsSeenOptions } from './checks/flows-seen.ts';
export { checkSleptAndWoke, findSleepWake } from './checks/slept-and-woke.ts';
export type { XpcEndpointCheckOptions } from './checks/xpc-endpoint-registered.ts';
export { checkXpcEndpointRegistered } from './checks/xpc-endpoint-registered.ts';
export {
  AppNotRelaunchedError,
  ApprovalAutomationError,
  CheckFailedError,
  CommandError,
  ConfigError,
  HostCommandError,
  InterruptedError,
  LogPersistenceError,
  NoFullWakeError,
  NoSleepError,
  SuspendFailedError,
  UnreadableStateError,
  WaitTimeoutError,
} from './errors.ts';
export { launchApp } from './macos/activation.ts';
export { relaunchApp } from './macos/app-process.ts';
export { approveExtension } from './macos/approve-extension.ts';
export type { BundleInfo } from './macos/bundle-info.ts';
export { readGuestTime, setGuestClock } from './macos/guest-clock.ts';
export { bootstrapLookup, ensureGuestTool } from './macos/guest-tools.ts';
export type { InstalledBuild } from './macos/install-build.ts';
export { networkExtensionJobLabel, printSystemJob } from './macos/launchd.ts';
export {
  type LogPersistence,
  type LogPersistenceOptions,
  logPersistenceDefaults,
  persistSubsystemLogging,
  verifyLogPersistence,
} from './macos/log-config.ts';
export { readPmsetLog } from './macos/pmset.ts';
export { rebootGuest } from './macos/reboot.ts';
export { guestSha256, signingReport } from './macos/signing-report.ts';
export type { SleepStrategy, SleepWakeResult } from './macos/sleep-wake.ts';
export { awaitActivationOutcome } from './macos/sysextd-log.ts';
export { describeVersion, findExtension, readSystemExtensions } from './macos/system-extensions.ts';
export { curlStatus } from './macos/traffic.ts';
export { listNetworkServices, startNetworkService, stopNetworkService } from './macos/transparent-proxy.ts';
export { predicateString, showUnifiedLog } from './macos/unified-log.ts';
export { ParseError } from './parse/parse-error.ts';
export { parseByKind, parseKinds, UnknownParseKindError } from './parse/registry.ts';
export { parseUnifiedLogStream } from './parse/unified-log-stream.ts';
export { doNotRetry, retryUntil } from './retry.ts';
export { type RunOptions, type RunRequest, runCommand, runDefaults } from './run-command.ts';
export {
  defineScenario,
  type FailureSignature,
  type InputValues,
  type Scenario,
  type ScenarioInput,
} from './scenario/define-scenario.ts';
export type { IterationResult, Outcome, RunEvent } from './scenario/events.ts';
export type { ScenarioContext } from './scenario/scenario-context.ts';
export { type ExecResult, GuestSession, type SshEndpoint } from './ssh/guest-session.ts';
export { quoteArg, shellCommand } from './ssh/shell-quote.ts';
export { cleanRunsNeeded } from './stats/clean-runs.ts';
export { failureRate, rateSentence } from './stats/rate.ts';
export { verdict } from './stats/stopping-rule.ts';
export { wilsonInterval } from './stats/wilson.ts';
