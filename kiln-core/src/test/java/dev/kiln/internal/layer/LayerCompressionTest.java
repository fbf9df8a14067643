package dev.kiln.internal.layer;

import dev.kiln.internal.layer.Layers.Written;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import static dev.kiln.internal.layer.Layers.ENTRY_TIME;
import static dev.kiln.internal.layer.Layers.entry;
import static org.assertj.core.api.Assertions.assertThat;

class LayerCompressionTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void gzipStoresAJarNearlyAsIsAndShrinksText() throws IOException {
        int size = 4 * MIB;
        Path jar = Layers.file(temp.resolve("job.jar"), Layers.jarLike(size, 7), "rw-r--r--");
        Path text = Layers.file(temp.resolve("app.log"), Layers.textLike(size, 7), "rw-r--r--");

        Written jarLayer = Layers.write(new LayerSource(jar, "/opt/job.jar"), Compression.GZIP);
        Written textLayer = Layers.write(new LayerSource(text, "/opt/app.log"), Compression.GZIP);

        assertThat((long) jarLayer.compressed().length).as("stored blocks: at most 1%% above the jar")
                .isBetween((long) size, (long) (size * 1.01));
        assertThat((long) textLayer.compressed().length).as("text deflates").isLessThan(size * 45L / 100);
    }

    @Test
    void levelsSwitchPerEntryAndEveryEntrySurvives() throws IOException {
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        byte[] text = Layers.textLike(MIB, 1);
        byte[] jar = Layers.jarLike(2 * MIB, 2);
        Layers.file(src.resolve("a.txt"), text, "rw-r--r--");
        Layers.file(src.resolve("b.jar"), jar, "rw-r--r--");
        Layers.file(src.resolve("c.txt"), text, "rw-r--r--");
        Layers.file(src.resolve("d.png"), Layers.textLike(MIB, 3), "rw-r--r--"); // not png inside: deflated

        Written layer = Layers.write(new LayerSource(src, "/data"), Compression.GZIP);
        var entries = Layers.entries(layer, Compression.GZIP);

        assertThat(entry(entries, "data/a.txt").content()).isEqualTo(text);
        assertThat(entry(entries, "data/b.jar").content()).isEqualTo(jar);
        assertThat(entry(entries, "data/c.txt").content()).isEqualTo(text);
        // the jar costs its size, the text well under half of it (a tail of a.txt stored would not matter)
        assertThat((long) layer.compressed().length).isBetween((long) jar.length, jar.length * 101L / 100 + 3L * MIB * 45 / 100);
    }

    @Test
    void recognizesCompressedFormatsByMagic() {
        assertThat(LayerWriter.looksCompressed(bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 5)).as("zip").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes(0x1f, 0x8b, 0x08), 3)).as("gzip").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes(0x28, 0xb5, 0x2f, 0xfd), 4)).as("zstd").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes(0xfd, '7', 'z', 'X', 'Z', 0), 6)).as("xz").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes('B', 'Z', 'h', '9'), 4)).as("bzip2").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a), 8)).as("png").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes(0xff, 0xd8, 0xff, 0xe0), 4)).as("jpeg").isTrue();
        assertThat(LayerWriter.looksCompressed(bytes('B', 'Z', 'h', 'x'), 4)).as("text starting BZh").isFalse();
        assertThat(LayerWriter.looksCompressed("PK is a text".getBytes(StandardCharsets.US_ASCII), 12)).isFalse();
        assertThat(LayerWriter.looksCompressed(bytes(0x50, 0x4b, 0x03, 0x04), 3)).as("too short").isFalse();
        assertThat(LayerWriter.looksCompressed(new byte[0], 0)).isFalse();
    }

    /**
     * Heap allocated while writing does not grow with the file: the layer streams. Also prints the
     * throughput; {@code -Dkiln.layer.benchMb=50} measures on 50 MB files.
     */
    @Test
    void streamsWithBoundedMemoryAndReportsThroughput() throws IOException {
        int size = Integer.getInteger("kiln.layer.benchMb", 16) * 1_000_000;
        Path jar = Layers.file(temp.resolve("job.jar"), Layers.jarLike(size, 11), "rw-r--r--");
        Path text = Layers.file(temp.resolve("app.txt"), Layers.textLike(size, 11), "rw-r--r--");
        for (Compression compression : Compression.values()) {
            for (Path file : new Path[]{jar, text}) {
                LayerSource source = new LayerSource(file, "/opt/" + file.getFileName());
                LayerWriter writer = new LayerWriter(ENTRY_TIME, compression);
                writer.write(source, OutputStream.nullOutputStream()); // warm-up: JIT, page cache
                Counting out = new Counting();
                long allocatedBefore = allocatedBytes();
                long start = System.nanoTime();
                LayerResult result = writer.write(source, out);
                long nanos = System.nanoTime() - start;
                long allocated = allocatedBytes() - allocatedBefore;
                System.out.printf(Locale.ROOT, "%s %s: %d MB in %d ms = %.0f MB/s, compressed to %.1f%%, heap allocated %d KiB%n",
                        compression, file.getFileName(), size / 1_000_000, nanos / 1_000_000, size / 1e6 / (nanos / 1e9),
                        100.0 * out.count / size, allocated / 1024);

                assertThat(result.uncompressedSize()).isGreaterThan(size);
                assertThat(out.count).isPositive();
                if (allocated >= 0) {
                    assertThat(allocated).as("heap allocated writing %s", file).isLessThan(4L * MIB);
                }
            }
        }
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean) {
            return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
