// Public surface of the runtime: what controllers, webhooks and the CLI import. Internal helpers
// (raw HTTP, the HTTP server) stay unexported.
export { Manager, type ManagerOptions, type EndpointOptions, type StopReason } from './manager.ts';
export {
  type Controller,
  type ControllerFactory,
  type ReconcileResult,
  type Watch,
  type MappedKeys,
  watch,
  forObject,
  ownedBy,
  ControllerRunner,
  isConflict,
  isNotFound,
  isAlreadyExists,
  isNamespaceTerminating,
  statusCodeOf,
  ReconcileError,
  errorMessage,
} from './controller.ts';
export {
  type InformerCache,
  type InformerEvent,
  type InformerEventType,
  type EventHandler,
  type SelectorLike,
  type InformerOptions,
  SharedInformer,
  objectKey,
  splitKey,
  compileSelector,
  controllerOwnerUid,
} from './informer.ts';
export { WorkQueue, type WorkQueueOptions, type QueueMetrics } from './workqueue.ts';
export {
  type RateLimiter,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.ts';
export {
  Expectations,
  ResourceVersionExpectations,
  DEFAULT_EXPECTATION_TIMEOUT_MS,
  type ExpectationAction,
  type ExpectationsOptions,
  type PendingExpectations,
} from './expectations.ts';
export {
  FeatureGates,
  FeatureGateError,
  KRUISE_FEATURES,
  FEATURE_NAMES,
  isFeatureName,
  parseFeatureGateSpec,
  type FeatureName,
  type FeatureSpec,
  type FeatureStage,
} from './feature-gates.ts';
export { type Logger, type LogLevel, type LogFields, type LoggerOptions, createLogger, installFatalHandlers, serializeError, isLogLevel } from './logger.ts';
export { Metrics, Counter, Gauge, Histogram, Registry } from './metrics.ts';
export { LeaderElector, type LeaderElectionOptions, type LeaderCallbacks } from './leader-election.ts';
export { type EventRecorder, type EventType, type RecordedEvent, ApiEventRecorder, FakeEventRecorder } from './events.ts';
export { type Check } from './serve.ts';
export { FakeInformer } from './testing.ts';
