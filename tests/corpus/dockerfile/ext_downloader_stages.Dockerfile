FROM alpine AS downloader-amd64
RUN wget -qO /kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl

FROM alpine AS downloader-arm64
RUN wget -qO /kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/arm64/kubectl

ARG TARGETARCH
FROM downloader-${TARGETARCH} AS downloader

FROM alpine
COPY --from=downloader /kubectl /linux/kubectl
COPY metadata.json /
