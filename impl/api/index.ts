// Public surface of the API package: types, names, defaulting, validation, CRDs.
export * from './group.ts';
export * from './constants.ts';
export type * from './pub.ts';
export type * from './cloneset.ts';
export type * from './statefulset.ts';
export {
  CLONESET_UPDATE_STRATEGY_TYPES,
} from './cloneset.ts';
export {
  POD_MANAGEMENT_POLICIES,
  STATEFULSET_UPDATE_STRATEGY_TYPES,
  POD_UPDATE_POLICIES,
  VOLUME_CLAIM_UPDATE_STRATEGY_TYPES,
  PVC_RETENTION_POLICY_TYPES,
} from './statefulset.ts';
export { defaultCloneSet, defaultStatefulSet, defaultPodSpec, defaultPersistentVolumeClaim, type CloneSetDefaultingOptions, type StatefulSetDefaultingOptions } from './defaults.ts';
export { validateCloneSet, NO_PODS, type CloneSetValidationContext } from './cloneset-validation.ts';
export {
  validateStatefulSet,
  validateVolumeClaimTemplateUpdate,
  pickDefaultStorageClass,
  parseOrdinalRange,
  type StatefulSetValidationContext,
  type StorageClassPort,
} from './statefulset-validation.ts';
export { type FieldError, type FieldErrorType, fieldErrors, aggregateMessage, invalidObjectMessage, FieldPath } from './field-errors.ts';
export { selectorString, labelSelectorAsPredicate, jsonPatchOps } from './validation-common.ts';
export { cloneSetCRD, statefulSetCRD, workloadSpreadCRD, allCRDs, type CustomResourceDefinition } from './crd.ts';
export type * from './workloadspread.ts';
