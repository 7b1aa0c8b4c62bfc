FROM alpine AS dl
ARG TARGETARCH
RUN <<EOT ash
    mkdir -p /out/darwin /out/linux
    case "$TARGETARCH" in
      amd64) ARCH=amd64 ;;
      arm64) ARCH=arm64 ;;
      *) echo "unsupported $TARGETARCH"; exit 1 ;;
    esac
    wget -O /out/linux/kubectl "https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl"
EOT
