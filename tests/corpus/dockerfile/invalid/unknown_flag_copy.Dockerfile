FROM alpine
COPY --chmod=755 --form=build /a /b
