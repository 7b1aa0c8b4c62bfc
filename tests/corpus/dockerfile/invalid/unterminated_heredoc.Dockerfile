FROM alpine
RUN <<EOT ash
    mkdir -p /out/darwin
