FROM --platform=$BUILDPLATFORM node:20-alpine AS ui
WORKDIR /src
COPY ui/package.json ui/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY ui/ ./
RUN npm run build

FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS backend
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY backend/go.mod backend/go.sum ./
RUN go mod download
COPY backend/ ./
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/backend .
RUN for os in darwin windows linux; do \
      ext=""; [ "$os" = windows ] && ext=.exe; \
      CGO_ENABLED=0 GOOS=$os GOARCH=$TARGETARCH go build -o /out/host/$os/cli$ext ./cmd/cli; \
    done

FROM alpine:3.20
LABEL org.opencontainers.image.title="Node and Go" \
      com.docker.desktop.extension.api.version=">= 0.3.3"
COPY --from=backend /out/backend /backend
COPY --from=backend /out/host/ /
COPY --from=ui /src/build /ui
COPY metadata.json docker.svg /
ENTRYPOINT ["/backend"]
CMD ["-socket", "/run/guest-services/extension.sock"]
