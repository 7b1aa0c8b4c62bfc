FROM alpine
RUN echo ends with escaped escape \\
RUN echo next line is separate
ENV X=a\ b Y=c\\d
COPY file\ with\ spaces /dst/
RUN echo "quoted \" quote" 'single \ backslash'
