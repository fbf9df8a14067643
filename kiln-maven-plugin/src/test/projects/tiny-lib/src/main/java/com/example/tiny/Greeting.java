package com.example.tiny;

/** A greeting. */
public final class Greeting {
    private Greeting() {
    }

    public static String of(String name) {
        return "hello " + name;
    }
}
