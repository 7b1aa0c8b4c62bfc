FROM alpine
LABEL org.opencontainers.image.title="Compose backend" \
      org.opencontainers.image.vendor="Example"
COPY docker-compose.yaml /docker-compose.yaml
COPY metadata.json /metadata.json
COPY icon.svg /icon.svg
COPY ui /ui
