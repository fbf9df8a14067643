package com.example.orders;

/** How an order is printed. */
final class Describe {
    private Describe() {
    }

    static String order(String order) {
        return "order " + order;
    }
}
