# syntax=docker/dockerfile:1.6
FROM --platform=$BUILDPLATFORM alpine:3.19 AS downloads
ARG TARGETARCH
ARG HELM_VERSION=v3.14.0
ARG TRIVY_VERSION=0.49.1
RUN apk add --no-cache curl wget tar unzip
WORKDIR /downloads
RUN set -eux; \
    case "${TARGETARCH}" in \
      amd64) TRIVY_ARCH=64bit ;; \
      arm64) TRIVY_ARCH=ARM64 ;; \
      *) echo "unsupported architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    mkdir -p /out/linux /out/darwin /out/windows; \
    wget -q "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz" -O helm.tgz; \
    tar -xzf helm.tgz -C /out/linux --strip-components=1 "linux-${TARGETARCH}/helm"; \
    curl -fsSL -o trivy.tgz "https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_Linux-${TRIVY_ARCH}.tar.gz"; \
    tar -xzf trivy.tgz -C /out/linux trivy
RUN curl -fsSLO "https://get.helm.sh/helm-${HELM_VERSION}-windows-amd64.zip" \
    && unzip -j helm-*-windows-amd64.zip windows-amd64/helm.exe -d /out/windows \
    && curl -fsSL "https://get.helm.sh/helm-${HELM_VERSION}-darwin-${TARGETARCH}.tar.gz" \
       | tar -xz -C /out/darwin --strip-components=1

FROM scratch
COPY --from=downloads /out/ /
COPY metadata.json docker.svg /
COPY ui /ui
