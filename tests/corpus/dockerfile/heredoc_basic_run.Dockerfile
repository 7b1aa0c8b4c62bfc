FROM alpine
RUN <<EOF
set -eux
apk add --no-cache curl
mkdir -p /out
EOF
RUN <<EOF sh -x
echo "shell after the heredoc word"
EOF
RUN <<EOF
EOF
RUN echo after
