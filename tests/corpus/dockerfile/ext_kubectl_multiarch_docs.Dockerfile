# syntax=docker/dockerfile:1

# The multi-arch host-binaries example from Docker's extension docs ("Build multi-arch
# extensions"), completed: every label the Marketplace requires, a UI, an icon, and kubectl for
# macOS, Windows and Linux hosts chosen with TARGETARCH.

FROM alpine AS dl
WORKDIR /tmp
RUN apk add --no-cache curl tar
ARG TARGETARCH
RUN <<EOT ash
    mkdir -p /out/darwin
    curl -fSsLo /out/darwin/kubectl "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/darwin/${TARGETARCH}/kubectl"
    chmod a+x /out/darwin/kubectl
EOT
RUN <<EOT ash
    mkdir -p /out/linux
    curl -fSsLo /out/linux/kubectl "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/linux/${TARGETARCH}/kubectl"
    chmod a+x /out/linux/kubectl
EOT
RUN <<EOT ash
    if [ "amd64" = "$TARGETARCH" ]; then
        mkdir -p /out/windows
        curl -fSsLo /out/windows/kubectl.exe "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/windows/amd64/kubectl.exe"
    fi
EOT

FROM alpine
LABEL org.opencontainers.image.title="Kubectl" \
    org.opencontainers.image.description="Run kubectl from Docker Desktop against your local cluster." \
    org.opencontainers.image.vendor="Example Corp" \
    com.docker.desktop.extension.api.version=">= 0.3.3" \
    com.docker.desktop.extension.icon="https://example.com/kubectl-extension/icon.svg" \
    com.docker.extension.screenshots="[{\"alt\": \"Cluster overview\", \"url\": \"https://example.com/kubectl-extension/overview.png\"}]" \
    com.docker.extension.detailed-description="<p>Browse and manage your Kubernetes cluster with kubectl, shipped for macOS, Windows and Linux hosts.</p>" \
    com.docker.extension.publisher-url="https://example.com" \
    com.docker.extension.additional-urls="[{\"title\": \"Documentation\", \"url\": \"https://example.com/kubectl-extension/docs\"}]" \
    com.docker.extension.changelog="<ul><li>First release.</li></ul>" \
    com.docker.extension.categories="kubernetes,utility-tools"

COPY metadata.json .
COPY docker.svg .
COPY ui ui
COPY --from=dl /out /
