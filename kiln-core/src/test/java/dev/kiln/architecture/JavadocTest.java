package dev.kiln.architecture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public or protected type, constructor, method and field of the public packages has a javadoc
 * comment: the JDK's javadoc tool runs in-process over their sources with doclint's {@code missing}
 * group (internal types come from the compiled classes), and no "no comment" warning may come back.
 */
class JavadocTest {
    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void everyPublicTypeAndMemberOfThePublicPackagesHasAComment(@TempDir Path out) throws IOException {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> missing = new ArrayList<>();
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-quiet", "-Xdoclint:missing", "-Xmaxwarns", "100000", "-protected",
                    "-d", out.toString(), "-classpath", "target/classes" + java.io.File.pathSeparator
                            + System.getProperty("java.class.path"));
            Boolean ok = javadoc.getTask(new StringWriter(), files, diagnostics, null, options,
                    files.getJavaFileObjectsFromPaths(publicSources())).call();
            assertThat(ok).as("javadoc ran: %s", diagnostics.getDiagnostics()).isTrue();
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getMessage(Locale.ROOT).contains("no comment")) {
                missing.add(SOURCES.toAbsolutePath().relativize(Path.of(d.getSource().toUri())) + ":" + d.getLineNumber());
            }
        }
        assertThat(missing).as("public types and members without javadoc").isEmpty();
    }

    private static List<Path> publicSources() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String pkg : PublicApiTest.PUBLIC_PACKAGES) {
            try (Stream<Path> dir = Files.list(SOURCES.resolve(pkg.replace('.', '/')))) {
                dir.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
            }
        }
        return sources;
    }
}
