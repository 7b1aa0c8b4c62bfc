FROM alpine
RUN <<-EOF
	echo "tabs are stripped"
		if true; then
			echo nested
		fi
	EOF
RUN <<-"EOT" sh
	  mixed tab then spaces keep the spaces
	EOT
COPY <<-EOF /etc/motd
		hello
	EOF
