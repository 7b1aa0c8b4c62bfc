
# escape=`
FROM alpine
RUN echo not continued `
RUN echo second
