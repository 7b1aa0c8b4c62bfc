FROM alpine
ONBUILD COPY . /app/src
ONBUILD RUN --mount=type=cache,target=/root/.cache make
ONBUILD ENV A=1 B="two"
ONBUILD CMD ["run"]
ONBUILD LABEL x=y
onbuild workdir /lower
