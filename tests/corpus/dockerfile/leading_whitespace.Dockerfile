  FROM alpine
	# indented comment
    RUN echo indented \
 continuation keeps its leading space
		CMD ["x"]
