FROM alpine
\
RUN echo started on a continuation line
RUN echo a \
\
  b
RUN echo comment-then-blank \
  # c1

  # c2
  end
RUN echo trailing tab after escape \	
  done
RUN echo last line continues \
