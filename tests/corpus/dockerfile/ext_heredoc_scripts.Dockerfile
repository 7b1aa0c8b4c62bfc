# syntax=docker/dockerfile:1
FROM alpine AS base
ARG TARGETARCH
COPY <<EOF /metadata.json
{
  "icon": "docker.svg",
  "ui": {"dashboard-tab": {"title": "Hello", "root": "/ui", "src": "index.html"}},
  "host": {"binaries": [{"darwin": [{"path": "/darwin/hello"}]}]}
}
EOF
RUN <<-'SCRIPT' sh
	set -eu
	mkdir -p /darwin
	printf '#!/bin/sh\necho hello\n' > /darwin/hello
	chmod +x /darwin/hello
	SCRIPT
COPY --chmod=0755 <<EOF /usr/local/bin/start
#!/bin/sh
echo "arch: $TARGETARCH"
EOF
