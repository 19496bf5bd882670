{{/* Labels on every object of the release. */}}
{{- define "kruise-ref.labels" -}}
app.kubernetes.io/name: kruise-ref
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of the manager's pods. */}}
{{- define "kruise-ref.managerSelector" -}}
app.kubernetes.io/name: kruise-ref
app.kubernetes.io/component: manager
{{- end -}}

{{- define "kruise-ref.image" -}}
{{ .Values.manager.image.repository }}:{{ .Values.manager.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The pod securityContext both the manager and the hook run with. */}}
{{- define "kruise-ref.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kruise-ref.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* "true" when featureGates turns DeletionProtectionForCRDCascadingGate on (alpha: explicitly, or
through AllAlpha=true; off whenever ResourcesDeletionProtection=false), as impl/runtime/feature-gates.ts. */}}
{{- define "kruise-ref.crdCascading" -}}
{{- $gates := dict -}}
{{- range (splitList "," (.Values.featureGates | toString)) -}}
{{- $kv := splitList "=" (trim .) -}}
{{- if eq (len $kv) 2 -}}{{- $_ := set $gates (trim (index $kv 0)) (trim (index $kv 1)) -}}{{- end -}}
{{- end -}}
{{- $on := eq (get $gates "AllAlpha") "true" -}}
{{- if hasKey $gates "DeletionProtectionForCRDCascadingGate" -}}{{- $on = eq (get $gates "DeletionProtectionForCRDCascadingGate") "true" -}}{{- end -}}
{{- if eq (get $gates "ResourcesDeletionProtection") "false" -}}{{- $on = false -}}{{- end -}}
{{- if $on -}}true{{- end -}}
{{- end -}}
