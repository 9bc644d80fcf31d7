# otp-radius container image.
#
#   docker build -t otp-radius .
#   docker run -d --name otp-radius -p 1812:1812/udp -p 1813:1813/udp \
#     -v /srv/otp-radius/etc:/etc/otp-radius:ro \
#     -v otp-radius-data:/var/lib/otp-radius otp-radius
#
# /etc/otp-radius holds otp-radius.yaml and the secrets it references; the
# server runs as the image's `node` user (uid 1000), which must be able to
# read them. /var/lib/otp-radius holds the SQLite store.

FROM node:24-slim AS build
WORKDIR /app
# Compilers for the native modules (better-sqlite3, argon2) in case no
# prebuilt binary matches; they stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, so that source edits do not redo the install layer.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# Same base image as the build stage, so the native modules' libc matches.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The server finds dictionaries/ next to dist/ (../../dictionaries from dist/radius).
COPY dictionaries ./dictionaries
COPY config ./config
RUN mkdir -p /etc/otp-radius /var/lib/otp-radius \
 && chown node:node /var/lib/otp-radius \
 && chmod 0700 /var/lib/otp-radius
USER node
# Relative paths in the config (the default store data/otp-radius.db and its key file) land in the data volume.
WORKDIR /var/lib/otp-radius
EXPOSE 1812/udp 1813/udp
VOLUME ["/etc/otp-radius", "/var/lib/otp-radius"]
# The server drains requests in flight on SIGTERM and reloads on SIGHUP; it
# installs its own handlers, so running as PID 1 without an init is fine.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--config", "/etc/otp-radius/otp-radius.yaml"]
