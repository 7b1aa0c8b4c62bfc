FROM alpine
LABEL a=1 \
      b=2 \
      # comment between labels

      c="three \
four"
LABEL "quoted key"="v"
