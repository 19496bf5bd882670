// CRD schemas of PodProbeMarker and NodePodProbe, written against the types in podprobemarker.ts.
import { type JSONSchema, schema as s } from './schema.ts';

/** core/v1 Probe: one handler and its timings (the webhook checks the rest). */
const probeSchema = (description: string): JSONSchema =>
  s.object(
    {
      exec: s.object({ command: s.array(s.string(), { listType: 'atomic', description: 'Command run in the container; exit status 0 is success.' }) }, { description: 'Run a command.' }),
      failureThreshold: s.int32({ description: 'Consecutive failures for the probe to be Failed (daemon default 1).' }),
      grpc: s.object({ 'port!': s.int32(), service: s.string() }, { description: 'gRPC health check (not run by PodProbeMarker).' }),
      httpGet: s.object(
        {
          host: s.string(),
          httpHeaders: s.array(s.object({ 'name!': s.string(), 'value!': s.string() }), { listType: 'atomic' }),
          path: s.string(),
          'port!': s.intOrString(),
          scheme: s.string(),
        },
        { description: 'HTTP GET (rejected by the PodProbeMarker webhook in 1.8).' },
      ),
      initialDelaySeconds: s.int32(),
      periodSeconds: s.int32({ description: 'How often to probe (daemon default 1).' }),
      successThreshold: s.int32(),
      tcpSocket: s.object({ host: s.string({ description: 'Must be empty (1.8.3).' }), 'port!': s.intOrString({ description: 'Number or name of a container port.' }) }, { description: 'Open a TCP connection.' }),
      terminationGracePeriodSeconds: s.int64(),
      timeoutSeconds: s.int32(),
    },
    { description },
  );

const markerPolicy: JSONSchema = s.array(
  s.object(
    {
      annotations: s.stringMap({ description: 'Annotations set while the probe is in this state.' }),
      labels: s.stringMap({ description: 'Labels set while the probe is in this state.' }),
      'state!': s.string({ description: 'Succeeded or Failed.' }),
    },
    { description: 'Marks of one probe state.' },
  ),
  { description: 'Marks applied on the pod for each probe state.' },
);

export const podProbeMarkerSpecSchema: JSONSchema = s.object(
  {
    'probes!': s.array(
      s.object(
        {
          'containerName!': s.string({ description: 'Container the probe runs in.' }),
          markerPolicy,
          'name!': s.string({ description: 'Unique within the PodProbeMarker; no "#".' }),
          podConditionType: s.string({ description: 'Pod condition the result is reported as.' }),
          'probe!': probeSchema('The probe.'),
        },
        { description: 'One probe of the matched pods.' },
      ),
      { description: 'Probes of the matched pods.' },
    ),
    'selector!': s.labelSelector({ description: 'Pods of the namespace the probes apply to; immutable.' }),
  },
  { description: 'Which pods to probe, how, and how to mark them.' },
);

export const podProbeMarkerStatusSchema: JSONSchema = s.object(
  {
    matchedPods: s.int64({ description: 'Pods the PodProbeMarker matches (normal and serverless).' }),
    'observedGeneration!': s.int64({ description: 'The generation the status is for.' }),
  },
  { description: 'Observed state.' },
);

export const nodePodProbeSpecSchema: JSONSchema = s.object(
  {
    podProbes: s.array(
      s.object(
        {
          'IP!': s.string({ description: 'Pod IP.' }),
          'name!': s.string(),
          'namespace!': s.string(),
          probes: s.array(
            s.object({ 'containerName!': s.string(), 'name!': s.string({ description: '<podProbeMarker>#<probe>.' }), 'probe!': probeSchema('The probe.') }),
            { description: 'Probes the node agent runs in the pod.' },
          ),
          'uid!': s.string(),
        },
        { description: 'The probes of one pod.' },
      ),
      { description: 'Pods of the node and their probes.' },
    ),
  },
  { description: 'Written by the manager.' },
);

export const nodePodProbeStatusSchema: JSONSchema = s.object(
  {
    podProbeStatuses: s.array(
      s.object(
        {
          'name!': s.string(),
          'namespace!': s.string(),
          probeStates: s.array(
            s.object({
              lastProbeTime: s.string({ format: 'date-time' }),
              lastTransitionTime: s.string({ format: 'date-time' }),
              message: s.string({ description: 'Probe output, truncated.' }),
              'name!': s.string({ description: '<podProbeMarker>#<probe>.' }),
              'state!': s.string({ description: 'Succeeded or Failed.' }),
            }),
          ),
          'uid!': s.string(),
        },
        { description: 'Probe states of one pod.' },
      ),
    ),
  },
  { description: 'Written by the node agent.' },
);
