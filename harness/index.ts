// The scenario API (`import { defineScenario } from 'sysext-lab'`): what a scenario file needs, and
// nothing else. The built-in scenarios import only from here, the proof that a user could have
// written them. The run API (runCommand and its options) is the package's "./run" entry (run.ts).
export { checkExtensionState } from './checks/extension-state.ts';
export { checkFlowsSeen, type FlowsSeenOptions } from './checks/flows-seen.ts';
export {
  checkXpcEndpointRegistered,
  type XpcEndpointCheckOptions,
} from './checks/xpc-endpoint-registered.ts';
export {
  AppNotRelaunchedError,
  ApprovalAutomationError,
  CheckFailedError,
  CommandError,
  LogPersistenceError,
  NoFullWakeError,
  NoSleepError,
  ProbeNotRunError,
  SuspendFailedError,
  TransferChecksumError,
  UnreadableStateError,
  WaitTimeoutError,
} from './errors.ts';
export { launchApp } from './macos/activation.ts';
export { relaunchApp } from './macos/app-process.ts';
export { approveExtension } from './macos/approve-extension.ts';
export type { BundleInfo } from './macos/bundle-info.ts';
export { readGuestTime } from './macos/guest-clock.ts';
export type { InstalledBuild } from './macos/install-build.ts';
export { networkExtensionJobLabel, printSystemJob } from './macos/launchd.ts';
export { persistSubsystemLogging } from './macos/log-config.ts';
export { guestSha256, signingReport } from './macos/signing-report.ts';
export type { SleepStrategy, SleepWakeResult } from './macos/sleep-wake.ts';
export { awaitActivationOutcome } from './macos/sysextd-log.ts';
export { describeVersion, readSystemExtensions } from './macos/system-extensions.ts';
export { listNetworkServices, startNetworkService } from './macos/transparent-proxy.ts';
export { showUnifiedLog } from './macos/unified-log.ts';
export { retryUntil } from './retry.ts';
export {
  defineScenario,
  type FailureSignature,
  type InputValues,
  type Scenario,
  type ScenarioDefinition,
  type ScenarioInput,
} from './scenario/define-scenario.ts';
export type { ScenarioContext } from './scenario/scenario-context.ts';
export type { ExecResult, GuestSession } from './ssh/guest-session.ts';
