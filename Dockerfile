# Release Policy as a container image. Build and run (docs/deploy.md has the details):
#   docker build -t release-policy .
#   docker run --rm -p 3000:3000 -v release-policy-data:/data --env-file release-policy.env release-policy

# Build: every dependency, compile src/ to dist/, then drop the development dependencies.
FROM node:24-bookworm-slim AS build
# better-sqlite3 (the state file) is a native addon compiled here by node-gyp, which needs
# Python, make and a C++ compiler; the runtime stage gets the built module, not the tools.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off except the one package.json allows (allowScripts): better-sqlite3,
# built from source against the image's own Node headers (no download of a prebuilt binary).
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN npm rebuild better-sqlite3 --build-from-source --nodedir=/usr/local
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: the compiled app and its production dependencies, owned by root and run as `node`.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The state file (holds, approvals, claims) lives in DATA_DIR, the one path the app writes:
# owned by `node`, and a volume, so it outlives the container (docs/deploy.md).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# The slim image has no curl: Node's own fetch asks the liveness route.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: in-flight webhooks finish before it exits.
CMD ["node", "dist/server.js"]
