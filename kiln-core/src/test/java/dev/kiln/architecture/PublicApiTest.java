package dev.kiln.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kiln's public surface is its public packages ({@code api}, {@code api.spi}, {@code config}, {@code event},
 * {@code error}, {@code image}); everything else lives under {@code dev.kiln.internal}. No public or protected
 * signature of a public type in those packages (supertypes, fields, constructors, methods, their generic
 * arguments and exceptions) may mention an internal type, so an embedder can tell the API from the internals.
 */
class PublicApiTest {
    static final Set<String> PUBLIC_PACKAGES = Set.of("dev.kiln.api", "dev.kiln.api.spi", "dev.kiln.config", "dev.kiln.event",
            "dev.kiln.error", "dev.kiln.image");
    private static final Path CLASSES = Path.of("target/classes");

    static List<Class<?>> publicTypes() throws IOException, ClassNotFoundException {
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/kiln"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
                if (PUBLIC_PACKAGES.contains(type.getPackageName()) && isVisible(type)) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /** Public, and so are the types enclosing it. */
    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean exposed(Member member) {
        return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers());
    }

    @Test
    void theInternalsLiveUnderOnePackage() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/kiln"))) {
            files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> CLASSES.relativize(f.getParent()).toString().replace('/', '.'))
                    .forEach(packages::add);
        }
        assertThat(packages).as("every package is public API or internal")
                .allMatch(p -> PUBLIC_PACKAGES.contains(p) || p.startsWith("dev.kiln.internal."));
        assertThat(packages).contains("dev.kiln.internal.store", "dev.kiln.internal.registry", "dev.kiln.api");
    }

    @Test
    void noPublicSignatureMentionsAnInternalType() throws Exception {
        List<Class<?>> types = publicTypes();
        assertThat(types).hasSizeGreaterThan(20);
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : types) {
            check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
            for (Type implemented : type.getGenericInterfaces()) {
                check(type.getName() + " implements", implemented, leaks);
            }
            for (Field field : type.getDeclaredFields()) {
                if (exposed(field)) {
                    check(type.getName() + "." + field.getName(), field.getGenericType(), leaks);
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (exposed(constructor) && !type.isEnum()) {
                    checkExecutable(type.getName() + ".<init>", constructor, leaks);
                }
            }
            for (Method method : type.getDeclaredMethods()) {
                if (exposed(method) && !method.isSynthetic()) {
                    checkExecutable(type.getName() + "." + method.getName(), method, leaks);
                    check(type.getName() + "." + method.getName() + " returns", method.getGenericReturnType(), leaks);
                }
            }
        }
        assertThat(leaks).as("public signatures that mention dev.kiln.internal types").isEmpty();
    }

    @Test
    void theCheckFindsALeak() {
        List<String> leaks = new ArrayList<>();
        check("a list of blob stores", new ParameterizedType() {
            public Type[] getActualTypeArguments() {
                return new Type[]{dev.kiln.internal.store.BlobStore.class};
            }

            public Type getRawType() {
                return List.class;
            }

            public Type getOwnerType() {
                return null;
            }
        }, leaks);
        assertThat(leaks).containsExactly("a list of blob stores: dev.kiln.internal.store.BlobStore");
    }

    private static void checkExecutable(String where, Executable executable, List<String> leaks) {
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(where + " parameter", parameter, leaks);
        }
        for (Type thrown : executable.getGenericExceptionTypes()) {
            check(where + " throws", thrown, leaks);
        }
    }

    private static void check(String where, Type type, List<String> leaks) {
        check(where, type, leaks, new HashSet<>());
    }

    private static void check(String where, Type type, List<String> leaks, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            Class<?> element = c;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (element.getName().startsWith("dev.kiln.internal.")) {
                leaks.add(where + ": " + element.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks, seen);
            for (Type argument : p.getActualTypeArguments()) {
                check(where, argument, leaks, seen);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                check(where, bound, leaks, seen);
            }
            for (Type bound : w.getLowerBounds()) {
                check(where, bound, leaks, seen);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                check(where, bound, leaks, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            check(where, a.getGenericComponentType(), leaks, seen);
        }
    }
}
