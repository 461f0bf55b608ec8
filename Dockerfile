# The Oamserver as a container: `hoptrace serve` from the workspace, production dependencies only,
# run as the image's unprivileged `node` user, with a health check on /healthz.
#   docker build -t hoptrace/oamserver .
#   docker run -e HOPTRACE_SECRET=... -e REDIS_URL=redis://redis:6379 \
#     -v $PWD/probes.yaml:/config/probes.yaml:ro -p 4400:4400 hoptrace/oamserver
# Untested here (our machines have no Docker engine); the steps it runs are tested without it:
# test/integration/deploy.package.test.ts. See docs/container.md.

FROM node:20-bookworm-slim AS build
WORKDIR /src
# The pnpm the workspace pins (package.json "packageManager").
RUN npm install --global pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && pnpm --filter @hoptrace/oamserver deploy --prod /out

# The demo's services (and everything else of the workspace, built): for deploy/compose.yaml.
FROM build AS demo
ENV HOST=0.0.0.0
CMD ["node", "demo/run.mjs", "--no-oamserver"]

FROM node:20-bookworm-slim AS oamserver
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /out /app
USER node
EXPOSE 4400
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HOPTRACE_HEALTH_PORT || 4400) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--config", "/config/probes.yaml", "--host", "0.0.0.0"]
