FROM alpine AS build
FROM alpine
COPY --from build /a /b
