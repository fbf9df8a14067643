package com.example.app;

import org.apache.commons.lang3.StringUtils;

/** Prints its mode. */
public final class App {
    public static void main(String[] args) {
        System.out.println(StringUtils.capitalize(System.getenv().getOrDefault("APP_MODE", "development")));
    }
}
