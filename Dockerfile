# syntax=docker/dockerfile:1.7-labs
# Every image of the platform, from the repository root:
#   docker build --build-arg APP=order-service --build-arg PORT=3003 -t flash-sale/order-service .
#   docker build --target tools -t flash-sale/tools .
# APP is a folder of apps/; PORT its port (SERVICE_PORTS in packages/routes). Sources run as they are:
# Node 24 strips the TypeScript types itself, so there is no build step and no dist/ to ship.
ARG NODE_IMAGE=node:24-slim

# Every workspace manifest and the lock file: `npm ci` refuses a workspace set that differs from the
# one the lock file was made from, even when it installs a single workspace.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY --parents packages/*/package.json apps/*/package.json tools/package.json test/package.json infra/package.json ./

# Production dependencies of one app (and of the workspace packages it uses), nothing else.
FROM manifests AS app-deps
ARG APP
RUN test -n "${APP}" && test -f "apps/${APP}/package.json" || { echo "--build-arg APP=<folder of apps/> is required" >&2; exit 1; }
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace="apps/${APP}" --ignore-scripts --no-audit --no-fund

# Production dependencies of the tools image: the tools workspace (migrations through @flash/db, the
# stock audit, the gateway, the SQS emulator) and the finalizer's, whose DLQ CLI it also ships.
FROM manifests AS tools-deps
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace=tools --workspace=apps/order-finalizer --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# ECS stops a task with SIGTERM; Node is PID 1 and the services handle it themselves (close-with-grace:
# stop accepting, drain in-flight work for SHUTDOWN_GRACE_MS, close clients), then SIGKILL follows.
STOPSIGNAL SIGTERM

# The tools image: `docker run flash-sale/tools node packages/db/src/cli.ts up`, `… tools/src/audit.ts`,
# `… apps/order-finalizer/src/dlq-cli.ts list`; by default the dev gateway.
FROM runtime AS tools
COPY --from=tools-deps --chown=node:node /app ./
# Shared packages go in whole (a few hundred kB of sources; .dockerignore drops their tests), so no
# package list is kept here that could drift from the workspace graph.
COPY --chown=node:node packages packages
COPY --chown=node:node tools tools
COPY --chown=node:node apps/order-finalizer apps/order-finalizer
USER node
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["node", "tools/src/gateway.ts"]

# One app per image (the default target).
FROM runtime AS app
ARG APP
ARG PORT
RUN test -n "${PORT}" || { echo "--build-arg PORT=<the app's port> is required" >&2; exit 1; }
COPY --from=app-deps --chown=node:node /app ./
COPY --chown=node:node packages packages
COPY --chown=node:node apps/${APP} apps/${APP}
USER node
ENV HOST=0.0.0.0 PORT=${PORT}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/apps/${APP}
CMD ["node", "src/server.ts"]
