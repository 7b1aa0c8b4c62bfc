FROM alpine
COPY metadata.json
