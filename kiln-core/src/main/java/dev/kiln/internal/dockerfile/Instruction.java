package dev.kiln.internal.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * One instruction as written: its line, keyword (upper case), {@code --flag=value} options, the
 * rest of the line, and the rest parsed as a JSON array when it is one (exec form), else null.
 */
public record Instruction(int line, String keyword, Map<String, String> flags, String arguments, List<String> json) {
    public Instruction {
        flags = Map.copyOf(flags);
        json = json == null ? null : List.copyOf(json);
    }
}
