import { describe, expect, it } from 'vitest';
import { admissionLatency, formatAdmissionLatency, histogramQuantile, parsePrometheusText } from './admission-latency.ts';

describe('admission latency from /metrics', () => {
  it('interpolates quantiles inside a bucket, as histogram_quantile does', () => {
    // 10 requests <= 10 ms, 90 more <= 20 ms: the median is half-way through the second bucket.
    const buckets: [number, number][] = [[0.01, 10], [0.02, 100], [Infinity, 100]];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01 + 0.01 * (40 / 90), 6);
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.005, 6);
    // Requests beyond the last finite bound: the estimate is that bound, never Infinity.
    expect(histogramQuantile(0.99, [[0.01, 1], [Infinity, 2]])).toBe(0.01);
    expect(histogramQuantile(0.5, [[Infinity, 0]])).toBeNaN();
  });

  it('reads controller-runtime histograms per webhook and ignores the rest', () => {
    const text = [
      '# HELP controller_runtime_webhook_latency_seconds x',
      'controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="0.005"} 50',
      'controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="0.01"} 99',
      'controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="+Inf"} 100',
      'controller_runtime_webhook_latency_seconds_sum{webhook="/mutate-pod"} 0.6',
      'controller_runtime_webhook_latency_seconds_count{webhook="/mutate-pod"} 100',
      'controller_runtime_webhook_latency_seconds_bucket{webhook="/idle",le="+Inf"} 0',
      'controller_runtime_webhook_latency_seconds_count{webhook="/idle"} 0',
      'workqueue_depth{name="cloneset"} 3',
    ].join('\n');
    expect(parsePrometheusText(text)).toHaveLength(8);
    expect(admissionLatency(text)).toEqual([{ webhook: '/mutate-pod', count: 100, p50Ms: 5, p99Ms: 10, meanMs: 6 }]);
    expect(formatAdmissionLatency(admissionLatency(text))).toEqual(['/mutate-pod: 100 requests, p50 5 ms, p99 10 ms, mean 6 ms']);
    expect(admissionLatency('up 1')).toEqual([]);
  });
});
