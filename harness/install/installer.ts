/**
 * Installs the implementation under test into a running cluster and removes it again. One
 * installer per descriptor install type; the runner only sees this interface.
 */
import type { Provider } from '../clusters/provider.ts';
import type { Descriptor } from '../run/descriptor.ts';

export interface InstallContext {
  kubeconfig: string;
  provider: Provider;
  /** Directory for logs and generated files (the report directory). */
  workdir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** The run's --timeout-multiplier: readiness waits scale with it, as the suites' waits do. */
  timeoutMultiplier?: number;
}

export interface Installer {
  install(ctx: InstallContext): Promise<void>;
  /** Idempotent; safe after a failed or interrupted install. */
  uninstall(): Promise<void>;
  /** Lines of the implementation's own log that show a crash or an unhandled rejection. */
  forbiddenLogLines(): string[];
  /** Path of the implementation's log, when the harness captured it. */
  readonly logFile?: string;
  /** Its Prometheus /metrics URL once installed, when the harness can reach it (read before uninstall). */
  readonly metricsUrl?: string;
}

export type InstallerFactory = (d: Descriptor) => Installer;
