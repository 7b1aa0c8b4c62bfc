FROM alpine
RUN <<EOF
last line has no newline
EOF