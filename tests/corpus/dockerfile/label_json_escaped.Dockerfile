FROM scratch
LABEL org.opencontainers.image.title="My Extension" \
    org.opencontainers.image.description="Does things" \
    org.opencontainers.image.vendor="Example Inc." \
    com.docker.desktop.extension.api.version=">= 0.3.3" \
    com.docker.extension.screenshots="[{\"alt\":\"Main\", \"url\":\"https://example.com/1.png\"},\
        {\"alt\":\"Second\", \"url\":\"https://example.com/2.png\"}]" \
    com.docker.extension.detailed-description="<h1>Title</h1><p>It's <b>great</b></p>" \
    com.docker.extension.publisher-url="https://example.com" \
    com.docker.extension.additional-urls="[{\"title\":\"Docs\",\"url\":\"https://example.com/docs\"}]" \
    com.docker.extension.changelog="<ul><li>first</li></ul>" \
    com.docker.desktop.extension.icon="https://example.com/icon.svg" \
    com.docker.extension.categories="kubernetes,utility-tools"
LABEL single='single quotes keep "double" inside'
LABEL old-form label value with spaces
LABEL empty="" also.empty=
