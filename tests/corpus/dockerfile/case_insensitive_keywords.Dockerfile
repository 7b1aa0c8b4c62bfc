from alpine as Base
run echo lower case keyword
Copy a /b
eNv K=v
Label l=1
healthcheck none
