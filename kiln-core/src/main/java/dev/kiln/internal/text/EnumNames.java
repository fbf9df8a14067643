package dev.kiln.internal.text;

import dev.kiln.error.InvalidInputException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Enum constants by the names users write: one way to parse them, and one way to say what was expected. */
public final class EnumNames {
    private EnumNames() {
    }

    /**
     * The constant of {@code type} whose user-facing name ({@code name}) or constant name is {@code text},
     * in any case and without surrounding blanks; else an error naming {@code what} and the choices:
     * {@code unknown compression 'lz4': expected gzip or zstd}.
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String text, Function<E, String> name, String what) {
        String wanted = text == null ? "" : text.strip();
        for (E constant : type.getEnumConstants()) {
            if (name.apply(constant).equalsIgnoreCase(wanted) || constant.name().equalsIgnoreCase(wanted)) {
                return constant;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(name).toList();
        String expected = names.size() == 2 ? names.get(0) + " or " + names.get(1) : "one of " + String.join(", ", names);
        throw new InvalidInputException("unknown " + what + " '" + text + "': expected " + expected);
    }

    /** The constant's name as users write it: lower case, {@code -} for {@code _}. */
    public static String lowerCase(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
