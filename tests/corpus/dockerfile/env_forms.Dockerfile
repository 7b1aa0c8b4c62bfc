FROM alpine
ENV LEGACY value with spaces
ENV A=1 B=2
ENV C="quoted value" D='single' E=escaped\ space
ENV F="" G=
ENV PATH=/opt/bin:$PATH \
    HOME=/root
ENV H=a\"b I="x\"y"
