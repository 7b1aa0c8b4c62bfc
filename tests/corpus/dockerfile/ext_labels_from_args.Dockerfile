ARG DD_API_VERSION=">= 0.3.3"
ARG VERSION=dev
FROM alpine
ARG DD_API_VERSION
ARG VERSION
LABEL org.opencontainers.image.version="${VERSION}" \
      com.docker.desktop.extension.api.version="${DD_API_VERSION}" \
      com.docker.extension.changelog="<p>Version ${VERSION}</p>"
LABEL com.docker.extension.categories="security, utility-tools"
COPY metadata.json /
