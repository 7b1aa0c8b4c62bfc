FROM alpine
CMD --foo echo
