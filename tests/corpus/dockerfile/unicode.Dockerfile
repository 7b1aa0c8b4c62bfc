FROM alpine
LABEL org.opencontainers.image.description="Überwacht Container – schnell ✓"
COPY --chown=josé café /café/
RUN echo "日本語 and emoji 🐳"
ENV GREETING="héllo wörld"
WORKDIR /données
