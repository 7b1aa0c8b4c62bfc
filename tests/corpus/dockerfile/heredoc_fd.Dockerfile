FROM alpine
RUN 3<<EOF cat /proc/self/fd/3
from fd three
EOF
RUN cat 0<<IN 9<<NINE
zero
IN
nine
NINE
