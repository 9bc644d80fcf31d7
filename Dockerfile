# otp-radius container image.
#
#   docker build -t otp-radius .
#   docker run -d --name otp-radius --network host \
#     -v /srv/otp-radius/etc:/etc/otp-radius:ro \
#     -v otp-radius-data:/var/lib/otp-radius otp-radius
#
# The image holds no configuration, no users and no secrets: mount a
# directory with otp-radius.yaml at /etc/otp-radius (docker/otp-radius.yaml
# is a start: it listens on 0.0.0.0). The server runs as the image's
# unprivileged user `node` (uid 1000), which must be able to read them, and
# keeps the SQLite store in the volume /var/lib/otp-radius.
# See docs/operations.md, "Docker".

FROM node:24-slim AS build
WORKDIR /src
# Compilers for the native modules (better-sqlite3, argon2) in case no
# prebuilt binary matches; they stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, so that source edits do not redo the install layer;
# npm ci installs exactly what package-lock.json names.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-web.ts ./scripts/
COPY src ./src
RUN npm run build \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# Same base image as the build stage, so the native modules' libc matches.
FROM node:24-slim
ENV NODE_ENV=production \
    OTP_RADIUS_CONFIG=/etc/otp-radius/otp-radius.yaml
WORKDIR /opt/otp-radius
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Found next to dist/ (../../dictionaries from dist/radius).
COPY dictionaries ./dictionaries
# `otp-radius` on PATH for the entry point, the health check and `docker exec`.
RUN chmod 0755 dist/cli/main.js \
 && ln -s /opt/otp-radius/dist/cli/main.js /usr/local/bin/otp-radius \
 && install -d -m 0755 /etc/otp-radius \
 && install -d -m 0700 -o node -g node /var/lib/otp-radius
USER node
WORKDIR /var/lib/otp-radius
EXPOSE 1812/udp 1813/udp
VOLUME ["/var/lib/otp-radius"]
# A Status-Server to the server's own listener, signed with the secret of the
# config's client entry for 127.0.0.1: the secret stays in the config.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["otp-radius", "status", "--timeout", "5"]
# The server drains requests in flight on SIGTERM and reloads on SIGHUP; it
# installs its own handlers, so running as PID 1 without an init is fine.
STOPSIGNAL SIGTERM
ENTRYPOINT ["otp-radius"]
CMD ["serve"]
