# drift's container image: the same `make build` as everywhere (a static binary, stamped with
# version, commit and date) on a distroless base that runs as a non-root user. From the
# repository root:
#   docker build -t drift:latest \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" \
#     --build-arg DATE="$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)" .
# The image holds no PostgreSQL server: a target built from migrations needs shadow.postgres_dsn
# (a server drift may create throwaway databases on), or use `expected: snapshot` (configs/k8s).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN make build VERSION="$VERSION" COMMIT="$COMMIT" DATE="$DATE" && ./bin/drift version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/drift /usr/local/bin/drift
USER 65532:65532
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/drift"]
CMD ["daemon", "--config", "/etc/drift/drift.yaml"]
