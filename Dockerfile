# llmperf container image: `docker build -t llmperf .` then `docker run --rm llmperf run /scripts/chat.ts`.
# Used by `llmperf k8s` (docs/distributed.md); ENTRYPOINT is the llmperf CLI.

# ---- build: native modules (isolated-vm, better-sqlite3) need a compiler and Python for node-gyp
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json build.mjs index.ts ./
COPY bin ./bin
COPY cli ./cli
COPY runtime ./runtime
COPY types ./types
# production dependencies only; the package's `prepare` script builds dist/ with esbuild
RUN npm ci --omit=dev --no-audit --no-fund \
 && test -f dist/cli.js \
 && npm cache clean --force

# ---- runtime: the built package, no compiler
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/types ./types
RUN ln -s /app/bin/llmperf.js /usr/local/bin/llmperf \
 && llmperf --version
USER node
WORKDIR /home/node
ENTRYPOINT ["llmperf"]
CMD ["--help"]
