package dev.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a command's annotations on a background thread while picocli starts on the main one. picocli
 * builds its model from them by reflection, and a JVM's first reading of each annotation type generates a
 * proxy class at run time (class-data sharing cannot hold those): ~15% of a short build's main thread.
 * The JDK caches what it parsed on each class, field and method, so whichever thread reads one first does
 * the work once; this one starts with the classes picocli reaches last.
 */
final class AnnotationWarmUp {
    private AnnotationWarmUp() {
    }

    /** Reads {@code command}'s annotations on a new thread, then runs {@code then} there. */
    static void start(Class<?> command, Runnable then) {
        Thread thread = new Thread(() -> {
            read(command);
            then.run();
        }, "kiln-cli-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void read(Class<?> command) {
        for (Class<?> c : classes(command)) {
            readMembers(c.getDeclaredFields());
            readMembers(c.getDeclaredMethods());
        }
    }

    /**
     * {@code command}, its subcommands, their superclasses and mixins, in reverse of the order picocli meets
     * them (the classes found last, first): picocli on the main thread starts at the top.
     */
    static List<Class<?>> classes(Class<?> command) {
        Deque<Class<?>> order = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> pending = new ArrayDeque<>();
        pending.add(command);
        while (!pending.isEmpty()) {
            for (Class<?> c = pending.poll(); c != null && c != Object.class; c = c.getSuperclass()) {
                if (!seen.add(c)) {
                    continue;
                }
                order.push(c);
                Command annotation = c.getAnnotation(Command.class);
                if (annotation != null) {
                    pending.addAll(List.of(annotation.subcommands()));
                }
                for (Field field : c.getDeclaredFields()) {
                    if (field.isAnnotationPresent(Mixin.class)) {
                        pending.add(field.getType());
                    }
                }
            }
        }
        return List.copyOf(order);
    }

    private static void readMembers(AccessibleObject[] members) {
        for (AccessibleObject member : members) {
            member.getDeclaredAnnotations();
        }
    }
}
