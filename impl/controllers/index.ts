// The controllers the manager runs, in start order. Explicit list: no registration by import
// side effect. Short names select a subset with `kruise-ref manager --controllers=...`.
import type { ControllerFactory } from '../runtime/index.ts';
import { cloneSetController } from './cloneset/controller.ts';
import { nodePodProbeController, podProbeMarkerController } from './podprobemarker/controller.ts';
import { podReadinessControllerFactory } from './podreadiness/controller.ts';
import { sidecarSetController } from './sidecarset/controller.ts';
import { statefulSetController } from './statefulset/controller.ts';
import { workloadSpreadController } from './workloadspread/controller.ts';

export interface NamedControllerFactory {
  readonly name: string;
  readonly factory: ControllerFactory;
}

export const namedControllers: readonly NamedControllerFactory[] = [
  { name: 'cloneset', factory: cloneSetController },
  { name: 'statefulset', factory: statefulSetController },
  { name: 'podreadiness', factory: podReadinessControllerFactory },
  { name: 'workloadspread', factory: workloadSpreadController },
  { name: 'sidecarset', factory: sidecarSetController },
  { name: 'podprobemarker', factory: podProbeMarkerController },
  { name: 'nodepodprobe', factory: nodePodProbeController },
];

export const controllers: readonly ControllerFactory[] = namedControllers.map((c) => c.factory);
