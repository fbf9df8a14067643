package com.example.user;

import com.example.tiny.Greeting;
import org.apache.commons.lang3.StringUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Greets a few names. */
public final class Greeter {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromElements("ada", "grace").map(name -> Greeting.of(StringUtils.capitalize(name))).print();
        env.execute("greeter");
    }
}
