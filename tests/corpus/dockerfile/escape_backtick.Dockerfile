# escape=`
FROM mcr.microsoft.com/powershell:lts-alpine-3.17
COPY testfile.txt c:\
RUN dir c:\ `
    && echo "backslash is literal here: C:\Users\x" `
    && echo end
ENV PATH=C:\tools;$PATH `
    HOME=C:\Users\builder
WORKDIR C:\app
RUN <<EOF
echo heredoc body keeps ` and \ as written `
EOF
LABEL description="quoted `"escape`" with a backtick"
