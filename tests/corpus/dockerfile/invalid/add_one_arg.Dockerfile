FROM alpine
ADD ["https://example.com/x"]
