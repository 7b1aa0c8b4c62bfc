FROM alpine
RUN <<EOF \
    sh -e
echo body starts after the continued line
EOF
RUN cat <<A \
  <<B
a
A
b
B
