FROM golang:1.22 AS build
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build <<EOF
go mod download
go build -o /out/backend ./cmd/backend
EOF
RUN --network=none <<EOF bash
echo offline
EOF
