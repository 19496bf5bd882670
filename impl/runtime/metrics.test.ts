import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Metrics } from './metrics.ts';

describe('Prometheus text format', () => {
  it('renders counters with escaped labels and histograms with cumulative buckets', () => {
    const c = new Counter('x_total', 'help text', ['controller', 'result']);
    c.inc({ controller: 'a"b', result: 'success' });
    c.inc({ controller: 'a"b', result: 'success' }, 2);
    expect(c.render()).toBe('# HELP x_total help text\n# TYPE x_total counter\nx_total{controller="a\\"b",result="success"} 3');
    const h = new Histogram('d_seconds', 'h', ['controller'], [0.1, 1]);
    h.observe({ controller: 'c' }, 0.05);
    h.observe({ controller: 'c' }, 0.5);
    h.observe({ controller: 'c' }, 5);
    expect(h.render().split('\n').slice(2)).toEqual([
      'd_seconds_bucket{controller="c",le="0.1"} 1',
      'd_seconds_bucket{controller="c",le="1"} 2',
      'd_seconds_bucket{controller="c",le="+Inf"} 3',
      'd_seconds_sum{controller="c"} 5.55',
      'd_seconds_count{controller="c"} 3',
    ]);
  });

  it('exposes the workqueue series through the queue metrics adapter', () => {
    const m = new Metrics();
    const q = m.queueMetrics();
    q.add('cloneset');
    q.retry('cloneset');
    q.depth('cloneset', 4);
    const text = m.render();
    expect(text).toContain('workqueue_adds_total{name="cloneset"} 1');
    expect(text).toContain('workqueue_retries_total{name="cloneset"} 1');
    expect(text).toContain('workqueue_depth{name="cloneset"} 4');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('admission metrics', () => {
  it('records latency per webhook path and requests per status code, as controller-runtime names them', () => {
    const m = new Metrics();
    const observe = m.admissionObserver();
    observe('/mutate-pod', 200, 0.003);
    observe('/mutate-pod', 200, 0.2);
    observe('/validate-cloneset', 400, 0.0004);
    const text = m.render();
    expect(text).toContain('controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="0.0025"} 0');
    expect(text).toContain('controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="0.005"} 1');
    expect(text).toContain('controller_runtime_webhook_latency_seconds_bucket{webhook="/mutate-pod",le="+Inf"} 2');
    expect(text).toContain('controller_runtime_webhook_latency_seconds_count{webhook="/validate-cloneset"} 1');
    expect(text).toContain('controller_runtime_webhook_requests_total{webhook="/validate-cloneset",code="400"} 1');
  });
});
