/** Stable names of everything written into a report directory; CI jobs and the matrix rely on them. */
export const REPORT_FILES = {
  yaml: 'conformance-report.yaml',
  json: 'conformance-report.json',
  junit: 'junit.xml',
  summary: 'summary.md',
  allureResults: 'allure-results',
  allureReport: 'allure-report',
} as const;

export type ReportFormat = keyof typeof REPORT_FILES;
