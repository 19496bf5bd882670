/**
 * The one result model every report is written from. The runner fills it from vitest's results,
 * the feature registry, the implementation's claims and the provider's capabilities; the writers
 * (YAML, JSON, JUnit, Markdown, Allure, HTML matrix) only render it.
 */
import type { AdmissionLatency } from './admission-latency.ts';
import type { Capability } from '../clusters/provider.ts';

export const REPORT_API_VERSION = 'conformance.kruise.io/v1alpha1';
export const REPORT_KIND = 'ConformanceReport';

export type Profile = 'Core' | 'Extended';

/**
 * passed / failed / skipped are vitest outcomes. not-run: the test needed something the run did
 * not have (a capability of the substrate, a preflight that failed, a fail-fast stop); the reason
 * says what. not-supported: the implementation does not claim the test's feature.
 */
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'not-run' | 'not-supported';

/** A feature's verdict: passed only when it has tests and every one of them passed. */
export type FeatureStatus = 'passed' | 'failed' | 'skipped' | 'not-run' | 'not-supported';

export type ProfileResult = 'success' | 'partial' | 'failure';

export interface TestResult {
  /** Stable id: `<suite file relative to suites/> > <describe titles> > <test title>`. */
  id: string;
  /** Suite file relative to the repo root, e.g. suites/10-cloneset/scale.test.ts. */
  file: string;
  /** The test's own title, without the describe chain. */
  name: string;
  /** Titles of the enclosing describe blocks, outermost first. */
  ancestors: string[];
  /** Feature ids the test proves (first = primary). */
  features: string[];
  status: TestStatus;
  /** Why a test was skipped, not run or not supported. */
  reason?: string;
  durationMs: number;
  /** Failure text: expected vs observed, the timeline; already readable, may be multi-line. */
  failure?: string;
}

export interface FeatureResult {
  id: string;
  profile: Profile;
  title: string;
  /** OpenKruise version that introduced the feature, e.g. "1.8". */
  since: string;
  status: FeatureStatus;
  reason?: string;
  tests: { passed: number; failed: number; skipped: number; notRun: number };
  durationMs: number;
}

export interface ProfileReport {
  name: Profile;
  result: ProfileResult;
  summary: string;
  tests: { passed: number; failed: number; skipped: number; notRun: number; notSupported: number };
  /** Feature ids by outcome. */
  features: { passed: string[]; failed: string[]; skipped: string[]; notRun: string[]; notSupported: string[] };
}

export interface ConformanceReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: typeof REPORT_KIND;
  /** Overall: success when every Core test of the chosen profiles passed and nothing failed,
   *  partial when Core passed but Extended failed or some tests were not run, failure otherwise. */
  result: ProfileResult;
  date: string;
  implementation: { name: string; version: string; url?: string; contact?: string[]; featureGates?: Record<string, boolean> };
  kubernetes: { version: string; featureGates: Record<string, boolean> };
  provider: { name: string; capabilities: Capability[] };
  /** Profiles the run was asked to certify. */
  profiles: ProfileReport[];
  features: FeatureResult[];
  tests: TestResult[];
  /** Wall times: the run, its phases, and each suite file as vitest measured it (collect, setup
   *  and every test and hook; with --repeat, the mean over the passes it ran in). */
  durations: { totalMs: number; phases: Record<string, number>; files?: Record<string, number> };
  /** Things that were not run at all, each with why (a phase, a suite, a capability). */
  notRun: { what: string; reason: string }[];
  /** Where the other formats were written, relative to the report directory. */
  artifacts?: Record<string, string>;
  /** Admission latency per webhook, read from the implementation's own metrics at the end of the run. */
  admissionLatency?: AdmissionLatency[];
  /** `run --repeat N`: how each test did over the N passes (absent for a single pass). */
  repeat?: RepeatReport;
}

/** One test over the passes of a repeated run. */
export interface RepeatTestResult {
  /** Same id as in `tests`. */
  id: string;
  /** Passes in which the test ran (passed or failed); skipped and not-run passes do not count. */
  runs: number;
  passed: number;
  failed: number;
  /** failed / runs, 3 decimals. */
  failureRate: number;
  /** Both passed and failed over the passes. */
  flaky: boolean;
  /** vitest's duration of the test over the passes it ran in. */
  durationMs: { min: number; mean: number; max: number };
  /** Distinct failures (grouped by their first line, ids and numbers aside), first text of each. */
  failures?: { message: string; passes: number[] }[];
}

export interface RepeatReport {
  /** Passes asked for (--repeat). */
  passes: number;
  /** Passes that ran to their end (fewer when a gate failed or the run was interrupted). */
  completed: number;
  /** Wall time of each pass. */
  passMs: number[];
  /** Ids of the tests that both passed and failed. */
  flaky: string[];
  /** Every test that ran in at least one pass, by id. */
  tests: RepeatTestResult[];
}
