/**
 * The report model as a zod schema, for reports read back from disk (the matrix, `report render`).
 * The type assertions below keep it and model.ts in step: a field added to one and not the other
 * is a type error.
 */
import { z } from 'zod';
import { CAPABILITIES } from '../clusters/provider.ts';
import { type ConformanceReport, REPORT_API_VERSION, REPORT_KIND } from './model.ts';

const Profile = z.enum(['Core', 'Extended']);
const Result = z.enum(['success', 'partial', 'failure']);
const Status = z.enum(['passed', 'failed', 'skipped', 'not-run', 'not-supported']);
const Count = z.number().int().nonnegative();
const Ms = z.number().nonnegative();

const TestResultSchema = z.object({
  id: z.string(),
  file: z.string(),
  name: z.string(),
  ancestors: z.array(z.string()),
  features: z.array(z.string()),
  status: Status,
  reason: z.string().optional(),
  durationMs: Ms,
  failure: z.string().optional(),
});

const FeatureResultSchema = z.object({
  id: z.string(),
  profile: Profile,
  title: z.string(),
  since: z.string(),
  status: Status,
  reason: z.string().optional(),
  tests: z.object({ passed: Count, failed: Count, skipped: Count, notRun: Count }),
  durationMs: Ms,
});

const ProfileReportSchema = z.object({
  name: Profile,
  result: Result,
  summary: z.string(),
  tests: z.object({ passed: Count, failed: Count, skipped: Count, notRun: Count, notSupported: Count }),
  features: z.object({
    passed: z.array(z.string()),
    failed: z.array(z.string()),
    skipped: z.array(z.string()),
    notRun: z.array(z.string()),
    notSupported: z.array(z.string()),
  }),
});

export const ReportSchema = z.object({
  apiVersion: z.literal(REPORT_API_VERSION),
  kind: z.literal(REPORT_KIND),
  result: Result,
  date: z.string().min(1),
  implementation: z.object({
    name: z.string().min(1),
    version: z.string().min(1),
    url: z.string().optional(),
    contact: z.array(z.string()).optional(),
    featureGates: z.record(z.string(), z.boolean()).optional(),
  }),
  kubernetes: z.object({ version: z.string(), featureGates: z.record(z.string(), z.boolean()) }),
  provider: z.object({ name: z.string(), capabilities: z.array(z.enum(CAPABILITIES)) }),
  profiles: z.array(ProfileReportSchema),
  features: z.array(FeatureResultSchema),
  tests: z.array(TestResultSchema),
  durations: z.object({ totalMs: Ms, phases: z.record(z.string(), Ms), files: z.record(z.string(), Ms).optional() }),
  notRun: z.array(z.object({ what: z.string(), reason: z.string() })),
  artifacts: z.record(z.string(), z.string()).optional(),
  admissionLatency: z
    .array(z.object({ webhook: z.string(), count: z.number().nonnegative(), p50Ms: z.number(), p99Ms: z.number(), meanMs: z.number() }))
    .optional(),
  repeat: z
    .object({
      passes: Count,
      completed: Count,
      passMs: z.array(Ms),
      flaky: z.array(z.string()),
      tests: z.array(
        z.object({
          id: z.string(),
          runs: Count,
          passed: Count,
          failed: Count,
          failureRate: z.number().min(0).max(1),
          flaky: z.boolean(),
          durationMs: z.object({ min: Ms, mean: Ms, max: Ms }),
          failures: z.array(z.object({ message: z.string(), passes: z.array(Count) })).optional(),
        }),
      ),
    })
    .optional(),
});

type Parsed = z.infer<typeof ReportSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inStep: Same<Parsed, ConformanceReport> = true;
void inStep;
