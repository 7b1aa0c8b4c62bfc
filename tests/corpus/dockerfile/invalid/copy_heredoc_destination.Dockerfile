FROM alpine
COPY file <<EOF
x
EOF
