FROM alpine
RUN <<EOF
FROM this is not an instruction
# nor is this a comment

RUN trailing backslash stays \
  indented line
EOF
COPY <<EOF /Dockerfile.inner
FROM busybox
RUN echo inner
EOF
