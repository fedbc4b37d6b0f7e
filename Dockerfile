# syntax=docker/dockerfile:1
# The DealProof oracle for a Phala Cloud / dstack CVM (Intel TDX).
# Build on the operator's machine: docker build -t <you>/dealproof-oracle:<tag> .
# The image digest goes into the app compose file, whose hash is measured into RTMR3: pin it.

FROM node:22.23-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only; the oracle never imports Hardhat, chai or other devDependencies
# (test/main/runtime-deps.test.ts enforces it). --ignore-scripts: nothing needs an install step.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:22.23-bookworm-slim
ENV NODE_ENV=production \
    DEALPROOF_TEE_MODE=dstack \
    DEALPROOF_DB=/data/oracle.sqlite \
    DEALPROOF_HTTP_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY oracle ./oracle
# the protocol's single definition, shared with dapps as the `dealproof` package (docs/sdk.md)
COPY sdk/src ./sdk/src
# The deployment the oracle serves is part of the image (and so of the measured compose, which pins
# the image digest): dstack receives only the compose text, never a file beside it.
COPY deployments ./deployments
RUN mkdir -p /data && chown node:node /data
# node (uid 1000); the compose adds group 0 so it can open the root-owned dstack.sock (mode 0660).
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.DEALPROOF_HTTP_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--disable-warning=ExperimentalWarning", "oracle/main/main.ts"]
