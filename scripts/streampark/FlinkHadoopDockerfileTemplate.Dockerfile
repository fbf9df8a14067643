FROM {{BASE}}
RUN mkdir -p $FLINK_HOME/usrlib

COPY hadoop-conf /opt/hadoop-conf
ENV HADOOP_CONF_DIR /opt/hadoop-conf

COPY hive-conf /opt/hive-conf
ENV HIVE_CONF_DIR /opt/hive-conf

COPY lib $FLINK_HOME/lib/
COPY job.jar $FLINK_HOME/usrlib/job.jar
