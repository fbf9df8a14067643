package com.example.multi;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Counts to three. */
public final class Counter {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(1, 3).print();
        env.execute("counter");
    }
}
