FROM alpine
RUN echo $((1<<3)) > /shift
RUN echo "<<EOF" "not a heredoc in quotes"
RUN cat<<EOF
CMD ["sh", "-c", "cat <<EOF"]
RUN ["sh", "-c", "cat <<EOF"]
COPY ["<<EOF", "/x"]
RUN echo <<< "here string"
LABEL note="<<EOF is only special for RUN, COPY and ADD"
ENV X=<<EOF
