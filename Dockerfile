# syntax=docker/dockerfile:1
# Ferry SMP server image.
#
#   docker build -t ferry .                      # production image: no test PKI inside
#   docker build --target dev -t ferry-dev .     # development image: starts out of the box
#   docker run --rm -p 8080:8080 -e FERRY_SERVER__PUBLIC_URL=http://localhost:8080 ferry-dev
#
# Only the `dev` image ships the throwaway test PKI certs-test/, whose keys are PUBLIC (and
# Ferry refuses them anyway with sml.mode test or production). The production image ships
# config/ only: mount the real Peppol SMP certificate and key and point Ferry at them, e.g.
#   -v /etc/ferry/certs:/certs:ro
#   -e FERRY_SIGNING__CERTIFICATE=/certs/smp.crt.pem -e FERRY_SIGNING__KEY=/certs/smp.key.pem
#   -e FERRY_DATABASE__URL=postgres://... -e FERRY_ADMIN_TOKEN=...   (or mount a config file: --config)
#   -e FERRY_MIGRATION__KEY_FILE=/run/secrets/ferry-migration-key   (the same secret on every node;
#      by default it is created in /app/data next to the SQLite file)
# and set FERRY_SERVER__PUBLIC_URL to the https URL clients use (ServiceGroup hrefs are built from
# it; without it they would name the container's 0.0.0.0:8080).

# ---- build ----------------------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole workspace is needed: every member's manifest takes part in resolution, and
# migrations/ is embedded into the binary at compile time. .dockerignore keeps target/ out.
COPY . .
# Cache mounts keep the registry and build artifacts between builds; the binary is copied out
# of the cached target dir in the same step because the mount is gone afterwards.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p ferry \
    && install -D -m 0755 target/release/ferry /out/ferry

# ---- runtime (shared by dev and production) ---------------------------------------------------
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin ferry
COPY --from=builder /out/ferry /usr/local/bin/ferry
# Paths in config/ferry.toml are relative to the working directory, as in the repository.
WORKDIR /app
COPY config/ /app/config/
# The default SQLite database lives under ./data: the only directory Ferry writes to.
RUN mkdir -p /app/data && chown ferry:ferry /app/data
VOLUME ["/app/data"]
ENV FERRY_SERVER__BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["ferry"]
CMD ["serve"]

# ---- dev: the embedded default (SQLite, in-process SML emulator, test PKI) ------------------
FROM runtime AS dev
COPY certs-test/ /app/certs-test/
USER ferry:ferry

# ---- production (the default target): bring your own certificates --------------------------
FROM runtime AS production
USER ferry:ferry
