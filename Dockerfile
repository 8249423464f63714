# Sigil-DNA on Node 24: `docker build -t sigil-dna .` (or `npm run image:build`, which builds and lints
# it with Podman the way CI does). How to run it: docs/operations.md, "Run with a container".
#
# NODE_IMAGE: any image with Node 24 and npm on PATH (scripts/image.sh passes a stand-in built from
# Debian packages and the npm registry where no image registry is reachable).
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only, from the lockfile; install scripts run (classic-level picks its
# prebuilt binding). No phoning home from the build: swagger-ui-dist's @scarf/scarf, npm's update check.
# --omit=optional: typescript is an optional peer of @nestjs/swagger (for its compiler plugin, which
# only a build loads) as well as our devDependency, so the lockfile has it "devOptional" and
# --omit=dev alone keeps it (24 MB); the only other optional package is pg-cloudflare (Workers only).
# The packages' own source maps go too: nothing runs with --enable-source-maps here.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
  && find node_modules -type f -name '*.map' -delete

# The compiler and its caches stay in this stage: only dist/ leaves it, without source maps and tsc's
# incremental build info.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build \
  && find dist -name '*.map' -delete \
  && rm -f dist/.tsbuildinfo

FROM ${NODE_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=""
# package.json says UNLICENSED (npm's word for "no licence granted"); SPDX has no identifier for
# that, so it is written as a LicenseRef.
LABEL org.opencontainers.image.title="sigil-dna" \
      org.opencontainers.image.description="Multi-tenant signing registry: tamper-evident sigils with HMAC signatures" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="LicenseRef-UNLICENSED"
# The store and the backup folder are the only places the service writes (besides /tmp): the root
# filesystem can be mounted read-only.
ENV NODE_ENV=production \
    SIGIL_PORT=3000 \
    SIGIL_DB_PATH=/var/lib/sigil-leveldb \
    SIGIL_BACKUP_DIR=/var/backups/sigil
WORKDIR /app
# Owned by root, so the service can't change its own code even on a writable root. package.json is
# needed at run time: "type": "module" and the #lib import map into dist/.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# uid/gid 1000 is the `node` user of the official Node images; numeric, so Kubernetes' runAsNonRoot
# can check it. Both folders are created owned by it, so a new named volume starts out writable.
RUN mkdir -p /var/lib/sigil-leveldb /var/backups/sigil \
  && chown 1000:1000 /var/lib/sigil-leveldb /var/backups/sigil \
  && chmod 0700 /var/lib/sigil-leveldb /var/backups/sigil
USER 1000:1000
EXPOSE 3000
VOLUME ["/var/lib/sigil-leveldb", "/var/backups/sigil"]
# Liveness only (/healthz); readiness (/readyz) is the load balancer's business. Follows SIGIL_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SIGIL_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1, with no shell or npm in between: SIGTERM reaches the service's drain, SIGHUP its
# key-ring reload.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/sigil-api/src/main.js"]
