FROM {{BASE}}
RUN mkdir -p $FLINK_HOME/usrlib
COPY lib $FLINK_HOME/lib/
COPY job.jar $FLINK_HOME/usrlib/job.jar
