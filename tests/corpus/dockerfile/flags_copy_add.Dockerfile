FROM alpine AS base
FROM base
COPY --from=base /etc/os-release /tmp/
COPY --from=0 --chown=1000:1000 --chmod=0644 a.txt /a.txt
COPY --link --chmod=755 bin/ /usr/local/bin/
COPY --link=false a /b
COPY --parents ./x/**/*.json /dst/
COPY --exclude=*.md --exclude=*.txt . /src/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/f.tar.gz /
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit
ADD --chown=app --link app.tar.gz /opt/
COPY --from=docker.io/library/busybox:latest /bin/busybox /busybox
ADD --unpack=true https://example.com/tool.tar.gz /opt/tool/
