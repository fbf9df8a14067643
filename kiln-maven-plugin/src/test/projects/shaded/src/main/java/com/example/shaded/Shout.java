package com.example.shaded;

import org.apache.commons.lang3.StringUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Shouts a few words. */
public final class Shout {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromElements("flink", "kiln").map(StringUtils::upperCase).print();
        env.execute("shout");
    }
}
