FROM alpine
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN ["echo", "exec form", "with \"escaped quotes\"", "\u00e9t\u00e9", "tab\there"]
CMD [ "/service", "-socket", "/run/guest-services/backend.sock" ]
ENTRYPOINT ["/entrypoint.sh"]
VOLUME ["/data", "/var/log"]
COPY ["src dir/", "/app/with space/"]
ADD ["https://example.com/a.tar.gz", "/tmp/"]
CMD ["a", 'b']
ENTRYPOINT [not json]
RUN []
CMD ["unterminated
VOLUME /plain /words
