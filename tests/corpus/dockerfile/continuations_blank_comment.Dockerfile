FROM debian:bookworm-slim
RUN apt-get update \
    # comments inside a continuation are skipped

    && apt-get install -y --no-install-recommends \
        ca-certificates \
   			
        curl \
    # another one
    && rm -rf /var/lib/apt/lists/*
RUN echo trailing-spaces-after-escape \   	
    ok
COPY a \
  b \
  /dst/
