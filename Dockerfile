# Sigil-DNA on Node 24. Build: docker build -t sigil-dna . ; run: see docs/operations.md#docker (NODE_ENV=production
# needs JWT_ISSUER, JWT_JWKS_URI and SPIRAL_EVENT_SECRET).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production SIGIL_DB_PATH=/var/lib/sigil-leveldb SIGIL_PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /var/lib/sigil-leveldb && chown node:node /var/lib/sigil-leveldb
USER node
EXPOSE 3000
VOLUME ["/var/lib/sigil-leveldb"]
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/apps/sigil-api/src/main.js"]
