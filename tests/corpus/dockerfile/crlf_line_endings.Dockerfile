FROM alpine
RUN echo a \
    && echo b
RUN <<EOF
echo crlf body
EOF
LABEL a="b"
# comment
CMD ["x"]
