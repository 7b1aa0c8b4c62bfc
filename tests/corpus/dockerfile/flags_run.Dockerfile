FROM golang:1.22
RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=bind,source=go.mod,target=go.mod go build ./...
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
RUN --mount=type=ssh git clone git@github.com:docker/extensions-sdk.git
RUN --network=host curl -fsSL https://example.com
RUN --network=none -- echo "after the flag terminator"
RUN --security=insecure cat /proc/self/status
RUN --mount=type=tmpfs,target=/tmp \
    --network=default \
    echo multi-line flags
RUN --device=name=gpu0 nvidia-smi
