FROM alpine
ONBUILD RUN <<EOF
echo onbuild heredoc
EOF
ONBUILD COPY <<EOF /onbuild.txt
text
EOF
ONBUILD RUN echo plain
