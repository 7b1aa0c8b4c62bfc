FROM alpine
ENV NAME=world
RUN <<'EOF'
echo "no expansion: $NAME"
EOF
RUN <<"EOF"
echo "no expansion either: $NAME"
EOF
RUN <<E"O"F
echo "partly quoted delimiter"
EOF
RUN <<EOF
echo "expanded: $NAME"
EOF
RUN <<\EOF
echo "escaped delimiter"
EOF
