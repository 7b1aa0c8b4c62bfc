FROM alpine AS 1st-stage
