# top comment (no directive: not key=value)
# syntax=docker/dockerfile:1
FROM alpine
# mext-lint: ignore[MX104]
RUN echo a # not a comment, part of the command
  # indented comment
#no space
#
RUN echo b \
# comment line inside continuation
  c
