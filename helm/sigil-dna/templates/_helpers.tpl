{{/* Names: release-chart, cut to 52 characters so "-integrity-check" (a CronJob's Jobs add 11) fits 63. */}}
{{- define "sigil-dna.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "sigil-dna.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 36 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sigil-dna.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades (a Deployment's selector is immutable). Pass (dict "root" $ "component" "server"). */}}
{{- define "sigil-dna.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sigil-dna.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "sigil-dna.labels" -}}
helm.sh/chart: {{ include "sigil-dna.chart" .root }}
{{ include "sigil-dna.selectorLabels" . }}
app.kubernetes.io/version: {{ include "sigil-dna.imageTag" .root | trunc 63 | quote }}
app.kubernetes.io/part-of: sigil-dna
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "sigil-dna.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "sigil-dna.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "sigil-dna.imageTag" .) }}
{{- end }}
{{- end }}

{{- define "sigil-dna.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sigil-dna.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sigil-dna.leveldb" -}}
{{- if eq .Values.storage.kind "leveldb" }}true{{ end }}
{{- end }}

{{- define "sigil-dna.signingSecretName" -}}
{{- if .Values.signingSecret.existingSecret }}{{ .Values.signingSecret.existingSecret }}{{ else }}{{ include "sigil-dna.fullname" . }}-signing{{ end }}
{{- end }}

{{- define "sigil-dna.metricsSecretName" -}}
{{- if .Values.metricsToken.existingSecret }}{{ .Values.metricsToken.existingSecret }}{{ else }}{{ include "sigil-dna.fullname" . }}-metrics{{ end }}
{{- end }}

{{- define "sigil-dna.dataClaim" -}}
{{- default (printf "%s-data" (include "sigil-dna.fullname" .)) .Values.storage.leveldb.persistence.existingClaim }}
{{- end }}

{{- define "sigil-dna.backupsClaim" -}}
{{- default (printf "%s-backups" (include "sigil-dna.fullname" .)) .Values.backups.persistence.existingClaim }}
{{- end }}

{{/* Whether the backups volume is mounted: LevelDB mode with backups.persistence.enabled. */}}
{{- define "sigil-dna.backups" -}}
{{- if and (include "sigil-dna.leveldb" .) .Values.backups.persistence.enabled }}true{{ end }}
{{- end }}

{{/* The in-cluster URL of the service (the LevelDB integrity check asks it for a snapshot). */}}
{{- define "sigil-dna.serviceUrl" -}}
{{- printf "http://%s.%s.svc:%v" (include "sigil-dna.fullname" .) .Release.Namespace .Values.service.port }}
{{- end }}

{{/* SIGTERM → exit takes at most delay + grace; the kubelet's SIGKILL must come after that, with a margin. */}}
{{- define "sigil-dna.terminationGracePeriodSeconds" -}}
{{- $needed := add (div (add .Values.shutdown.delayMs .Values.shutdown.graceMs 999) 1000) 5 }}
{{- if .Values.shutdown.terminationGracePeriodSeconds }}
{{- if lt (int .Values.shutdown.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds=%v is shorter than the drain: SIGIL_SHUTDOWN_DELAY_MS (%v) + SIGIL_SHUTDOWN_GRACE_MS (%v) needs at least %v s, or the kubelet kills pods mid-request" .Values.shutdown.terminationGracePeriodSeconds .Values.shutdown.delayMs .Values.shutdown.graceMs $needed) }}
{{- end }}
{{- .Values.shutdown.terminationGracePeriodSeconds }}
{{- else }}
{{- $needed }}
{{- end }}
{{- end }}

{{/* Rules the schema cannot express: each failure says what is wrong and what to do instead. */}}
{{- define "sigil-dna.validate" -}}
{{- if include "sigil-dna.leveldb" . }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- fail (printf "storage.kind=leveldb runs exactly one replica, not replicaCount=%v: LevelDB's LOCK admits one process, so the other pods would crash-loop on \"locked by another process\" (and on a filesystem that ignores the lock, two writers corrupt the store). For several replicas use storage.kind=postgres." .Values.replicaCount) }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- fail "storage.kind=leveldb runs exactly one replica: autoscaling.enabled=true would start a second pod on the same store, which LevelDB's LOCK refuses. For autoscaling use storage.kind=postgres." }}
{{- end }}
{{- if and .Values.integrityCheck.enabled (not .Values.backups.persistence.enabled) }}
{{- fail "integrityCheck.enabled=true with storage.kind=leveldb needs backups.persistence.enabled=true: the check runs on a snapshot the service writes to its backups volume (the store's LOCK belongs to the pod)." }}
{{- end }}
{{- if and .Values.integrityCheck.enabled (not .Values.integrityCheck.adminToken.existingSecret) }}
{{- fail "integrityCheck.adminToken.existingSecret is required with storage.kind=leveldb: the check asks the running service for a snapshot with a sigil:admin token (or set integrityCheck.enabled=false)." }}
{{- end }}
{{- else }}
{{- if not .Values.storage.postgres.existingSecret }}
{{- fail "storage.postgres.existingSecret is required with storage.kind=postgres: an existing Secret whose key storage.postgres.urlKey holds DATABASE_URL (the password never goes in values)." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%v) is greater than autoscaling.maxReplicas (%v)" .Values.autoscaling.minReplicas .Values.autoscaling.maxReplicas) }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.egress.postgres.to) }}
{{- fail "networkPolicy.egress.postgres.to is empty: with the NetworkPolicy on, pods reach only what is listed, so name the database (an ipBlock or a pod/namespace selector)." }}
{{- end }}
{{- end }}
{{- if or (not .Values.auth.issuer) (not .Values.auth.jwksUri) }}
{{- fail "auth.issuer and auth.jwksUri are required: the service runs in production mode and accepts only JWTs of your identity provider (JWT_ISSUER, JWT_JWKS_URI)." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "autoscaling.enabled=true needs a target: autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage above 0." }}
{{- end }}
{{- if and (not .Values.signingSecret.existingSecret) (not .Values.signingSecret.create) }}
{{- fail "signingSecret.existingSecret is required (a Secret whose key signingSecret.key is an env-format file with SPIRAL_EVENT_SECRET=<64 hex>), or set signingSecret.create=true to have the chart generate one." }}
{{- end }}
{{- if and .Values.metricsToken.enabled (not .Values.metricsToken.existingSecret) (not .Values.metricsToken.create) }}
{{- fail "metricsToken.existingSecret is required when metricsToken.enabled=true (a Secret holding METRICS_TOKEN), or set metricsToken.create=true, or metricsToken.enabled=false to leave /metrics open." }}
{{- end }}
{{- if and .Values.networkPolicy.enabled .Values.redis.existingSecret (not .Values.networkPolicy.egress.redis.to) }}
{{- fail "networkPolicy.egress.redis.to is empty while redis.existingSecret is set: name the Redis server (an ipBlock or a pod/namespace selector)." }}
{{- end }}
{{- end }}

{{- define "sigil-dna.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "sigil-dna.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Variables that are secrets: from Secrets by reference, never a literal value. */}}
{{- define "sigil-dna.secretEnv" -}}
{{- if not (include "sigil-dna.leveldb" .) }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.postgres.existingSecret }}
      key: {{ .Values.storage.postgres.urlKey }}
{{- end }}
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.urlKey }}
{{- end }}
{{- end }}

{{- define "sigil-dna.metricsEnv" -}}
{{- if .Values.metricsToken.enabled }}
- name: METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "sigil-dna.metricsSecretName" . }}
      key: {{ .Values.metricsToken.key }}
{{- end }}
{{- end }}

{{/* The signing secrets folder: the Secret's one key as secrets.env, readable by the pod's group only. */}}
{{- define "sigil-dna.secretsVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "sigil-dna.signingSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ .Values.signingSecret.key }}
        path: secrets.env
{{- end }}

{{- define "sigil-dna.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* The ConfigMap's data; the pods' checksum/config is its hash, so a changed setting rolls them. */}}
{{- define "sigil-dna.configData" -}}
{{- $leveldb := include "sigil-dna.leveldb" . -}}
NODE_ENV: production
SIGIL_HOST: 0.0.0.0
SIGIL_PORT: {{ .Values.containerPort | quote }}
JWT_ISSUER: {{ .Values.auth.issuer | quote }}
JWT_JWKS_URI: {{ .Values.auth.jwksUri | quote }}
JWT_AUDIENCE: {{ .Values.auth.audience | quote }}
DEFAULT_TENANT: {{ .Values.auth.defaultTenant | quote }}
{{- with .Values.auth.tenantClaim }}
SIGIL_TENANT_CLAIM: {{ . | quote }}
{{- end }}
SIGIL_SECRETS_FILE: /run/sigil/secrets.env
SIGIL_STORAGE: {{ .Values.storage.kind }}
{{- if $leveldb }}
SIGIL_DB_PATH: /var/lib/sigil-leveldb
SIGIL_DB_SYNC: {{ .Values.storage.leveldb.sync | quote }}
{{- if include "sigil-dna.backups" . }}
SIGIL_BACKUP_DIR: /var/backups/sigil
{{- end }}
{{- else }}
# Migrations run once per release in the pre-install/pre-upgrade Job, not in every pod.
SIGIL_DB_MIGRATE: "false"
SIGIL_PG_POOL_SIZE: {{ .Values.storage.postgres.poolSize | quote }}
SIGIL_PG_CONNECT_TIMEOUT_MS: {{ .Values.storage.postgres.connectTimeoutMs | quote }}
SIGIL_PG_STATEMENT_TIMEOUT_MS: {{ .Values.storage.postgres.statementTimeoutMs | quote }}
SIGIL_WORKERS: {{ include "sigil-dna.workers" . | quote }}
{{- end }}
SIGIL_RATE_LIMIT: {{ .Values.config.rateLimit | quote }}
SIGIL_RATE_WINDOW: {{ .Values.config.rateWindow | quote }}
SIGIL_ANON_RATE_LIMIT: {{ .Values.config.anonymousRateLimit | quote }}
SIGIL_TRUST_PROXY: {{ .Values.config.trustProxy | quote }}
{{- with .Values.config.corsOrigins }}
SIGIL_CORS_ORIGINS: {{ . | quote }}
{{- end }}
SIGIL_MAX_DATA_BYTES: {{ .Values.config.maxDataBytes | quote }}
SIGIL_REQUEST_TIMEOUT_MS: {{ .Values.config.requestTimeoutMs | quote }}
SIGIL_DISK_MIN_FREE_PERCENT: {{ .Values.config.diskMinFreePercent | quote }}
SIGIL_HEAP_MAX_PERCENT: {{ .Values.config.heapMaxPercent | quote }}
SIGIL_SHUTDOWN_DELAY_MS: {{ .Values.shutdown.delayMs | quote }}
SIGIL_SHUTDOWN_GRACE_MS: {{ .Values.shutdown.graceMs | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
{{- range $name, $value := .Values.config.extraEnv }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Worker processes per pod (Postgres mode): storage.postgres.workers, else the pod's CPU (limits.cpu,
else requests.cpu: "500m", "2", 1.5) rounded up, at least 1. Node's own default, the available
parallelism, follows a CPU limit but without one is the node's core count: far too many workers
for a pod that requested a fraction of a core.
*/}}
{{- define "sigil-dna.workers" -}}
{{- if .Values.storage.postgres.workers -}}
{{- .Values.storage.postgres.workers -}}
{{- else -}}
{{- $cpu := toString (or (dig "limits" "cpu" "" .Values.resources) (dig "requests" "cpu" "" .Values.resources)) -}}
{{- $milli := 1000.0 -}}
{{- if hasSuffix "m" $cpu -}}
{{- $milli = float64 (trimSuffix "m" $cpu) -}}
{{- else if $cpu -}}
{{- $milli = mulf (float64 $cpu) 1000 -}}
{{- end -}}
{{- $workers := int (ceil (divf $milli 1000)) -}}
{{- if lt $workers 1 }}1{{ else }}{{ $workers }}{{ end -}}
{{- end -}}
{{- end }}
