{{- define "admission-guard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "admission-guard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "admission-guard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "admission-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "admission-guard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "admission-guard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: admission-guard
{{- end -}}

{{- define "admission-guard.serviceAccountName" -}}
{{- default (include "admission-guard.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "admission-guard.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "secret" -}}
{{- required "certificates.secret.name is required when certificates.mode=secret" .Values.certificates.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "admission-guard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "admission-guard.leaseName" -}}
{{- printf "%s-leader" (include "admission-guard.fullname" .) -}}
{{- end -}}

{{- define "admission-guard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* "true" when the validating webhook should fail closed once AdmissionGuard answers (enforce, or failurePolicy Fail). */}}
{{- define "admission-guard.failClosed" -}}
{{- if or .Values.enforce (eq .Values.webhooks.validating.failurePolicy "Fail") -}}true{{- end -}}
{{- end -}}

{{/* The example policy's mode: enforce: true makes it Enforce. */}}
{{- define "admission-guard.policyMode" -}}
{{- if .Values.enforce -}}Enforce{{- else -}}{{ .Values.defaultContent.clusterImagePolicy.mode }}{{- end -}}
{{- end -}}

{{/*
Namespaces never judged, one per line: those the cluster needs to recover (kube-system, kube-node-lease), the
release namespace so AdmissionGuard can always restart itself (not "default": an install there must not exempt
everyone's workloads), and webhooks.excludeNamespaces.
*/}}
{{- define "admission-guard.excludedNamespaces" -}}
{{- $excluded := list "kube-system" "kube-node-lease" -}}
{{- if ne .Release.Namespace "default" }}{{ $excluded = append $excluded .Release.Namespace }}{{ end -}}
{{- range (concat $excluded .Values.webhooks.excludeNamespaces | uniq) }}
{{ . }}
{{- end -}}
{{- end -}}

{{/* How the API server reaches us: the same service, CA and timeout for every webhook. */}}
{{- define "admission-guard.webhookClient" -}}
admissionReviewVersions: [v1]
sideEffects: None
matchPolicy: Equivalent
timeoutSeconds: {{ .root.Values.webhooks.timeoutSeconds }}
clientConfig:
  service:
    name: {{ include "admission-guard.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    path: {{ .path }}
    port: {{ .root.Values.service.port }}
  {{- if eq .root.Values.certificates.mode "secret" }}
  caBundle: {{ required "certificates.secret.caBundle is required when certificates.mode=secret" .root.Values.certificates.secret.caBundle }}
  {{- end }}
{{- end -}}

{{/* The webhook body both workload webhooks share: same namespaces, same kinds, same service. */}}
{{- define "admission-guard.webhookCommon" -}}
{{ include "admission-guard.webhookClient" . }}
namespaceSelector:
  matchExpressions:
    # kubernetes.io/metadata.name is set by the API server and cannot be changed by users, so nobody can opt a
    # namespace out by labelling it. kube-system and our own namespace must always be able to heal.
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values:
        {{- range (include "admission-guard.excludedNamespaces" .root | trim | splitList "\n") }}
        - {{ . | quote }}
        {{- end }}
rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [pods, pods/ephemeralcontainers, replicationcontrollers]
    scope: Namespaced
  - apiGroups: [apps]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [deployments, replicasets, statefulsets, daemonsets]
    scope: Namespaced
  - apiGroups: [batch]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [jobs, cronjobs]
    scope: Namespaced
{{- end -}}
