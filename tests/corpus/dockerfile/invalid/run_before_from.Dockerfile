RUN echo no stage yet
FROM alpine
