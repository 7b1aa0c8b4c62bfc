FROM scratch AS files
COPY <<EOF /metadata.json
{
  "icon": "docker.svg",
  "vm": {"image": "${DESKTOP_PLUGIN_IMAGE}"}
}
EOF
COPY --chmod=755 <<EOF /usr/local/bin/entry.sh
#!/bin/sh
exec "$@"
EOF
ADD <<EOF /etc/app.conf
key=value
EOF
COPY --link <<"EOT" <<EOT2 /data/
literal $HOME
EOT
expanded $HOME
EOT2
