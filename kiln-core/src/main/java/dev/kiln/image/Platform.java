package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.error.InvalidInputException;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An image platform, {@code os/arch[/variant]}, in the normalized form containerd uses so that
 * equal platforms compare equal: {@code aarch64} ≡ {@code arm64} ≡ {@code arm64/v8},
 * {@code x86_64} ≡ {@code amd64}, {@code arm} ≡ {@code arm/v7}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures) {

    private static final Set<String> KNOWN_OS = Set.of("linux", "windows", "darwin", "freebsd", "netbsd", "openbsd",
            "solaris", "illumos", "aix", "android", "ios", "plan9", "dragonfly", "js", "wasip1");
    private static final Set<String> KNOWN_ARCH = Set.of("amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x",
            "riscv64", "mips64le", "mips64", "mipsle", "mips", "loong64", "wasm");
    private static final Platform ATTESTATION = new Platform("unknown", "unknown", null, null, null);

    /** The platform {@code os/architecture[/variant]} ({@code variant} may be {@code null}). */
    public static Platform of(String os, String architecture, String variant) {
        return new Platform(architecture, os, variant, null, null);
    }

    /** Parses {@code os/arch[/variant]}, rejecting platforms no registry image can have. */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidInputException("invalid platform '" + text + "': expected os/arch[/variant], e.g. linux/amd64 or linux/arm64");
        }
        Platform platform = of(parts[0], parts[1], parts.length == 3 ? parts[2] : null).normalized();
        if (!KNOWN_OS.contains(platform.os) || !KNOWN_ARCH.contains(platform.architecture)) {
            throw new InvalidInputException("unknown platform '" + text + "': expected os/arch[/variant] such as linux/amd64, linux/arm64, linux/arm/v7");
        }
        return platform;
    }

    /** The platform of the machine Kiln runs on, the default for pulls and builds. */
    public static Platform host() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"), null).normalized();
    }

    /** The same platform with os, architecture and variant in canonical spelling. */
    public Platform normalized() {
        String normOs = os == null ? "" : os.toLowerCase(Locale.ROOT);
        if (normOs.startsWith("mac")) {
            normOs = "darwin";
        } else if (normOs.startsWith("windows")) {
            normOs = "windows";
        }
        String arch = architecture == null ? "" : architecture.toLowerCase(Locale.ROOT);
        String var = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "x86_64", "x86-64", "amd64" -> {
                arch = "amd64";
                if (var.equals("v1")) {
                    var = "";
                }
            }
            case "aarch64", "arm64" -> {
                arch = "arm64";
                if (var.equals("8") || var.equals("v8")) {
                    var = "";
                }
            }
            case "armhf" -> {
                arch = "arm";
                var = "v7";
            }
            case "armel" -> {
                arch = "arm";
                var = "v6";
            }
            case "arm" -> var = switch (var) {
                case "", "7" -> "v7";
                case "5", "6", "8" -> "v" + var;
                default -> var;
            };
            case "i386", "i686" -> arch = "386";
            default -> { }
        }
        return new Platform(arch, normOs, var.isEmpty() ? null : var, osVersion, osFeatures);
    }

    /** Whether an image of platform {@code candidate} can serve a request for this platform. */
    public boolean matches(Platform candidate) {
        Platform want = normalized();
        Platform have = candidate.normalized();
        return want.os.equals(have.os) && want.architecture.equals(have.architecture)
                && Objects.equals(want.variant, have.variant);
    }

    /** Index entries of attestations and signatures carry {@code unknown/unknown}; they are never images. */
    @JsonIgnore
    public boolean isUnknown() {
        return ATTESTATION.os.equals(os) || ATTESTATION.architecture.equals(architecture);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null && !variant.isEmpty() ? "/" + variant : "");
    }
}
