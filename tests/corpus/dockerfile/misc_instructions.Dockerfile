FROM alpine
MAINTAINER someone <someone@example.com>
EXPOSE 80 443/tcp 8080/udp
EXPOSE 3000-3005
USER 1000:1000
USER app
WORKDIR /app
WORKDIR /path with spaces
STOPSIGNAL SIGTERM
VOLUME /data
SHELL ["/bin/sh", "-c"]
CMD echo "shell form CMD"
ENTRYPOINT exec /bin/app --flag
