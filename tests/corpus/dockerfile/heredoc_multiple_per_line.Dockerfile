FROM alpine
RUN <<FILE1 cat > /file1 && <<FILE2 cat > /file2
I am
first
FILE1
I am
second
FILE2
COPY <<A <<B <<C /dst/
a
A
b
B
c
C
RUN cat <<one <<two
1
one
2
two
