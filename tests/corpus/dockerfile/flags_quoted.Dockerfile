FROM alpine
RUN --mount=type=secret,id="my secret",target=/run/secrets/s cat /run/secrets/s
RUN --mount='type=cache,target=/var/cache/apk' apk add git
COPY --chown="1000:1000" --chmod='644' f /f
COPY --from=build\ stage a b
