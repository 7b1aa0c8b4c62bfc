FROM alpine
COPY <<- 'EOT' /x
	body
	EOT
