package dev.kiln.bench;

import dev.kiln.internal.layer.Compression;
import dev.kiln.internal.layer.LayerResult;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.layer.LayerWriter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The hot path of building a layer: read a file, tar it, hash the tar (the diff id), compress, hash
 * the compressed bytes (the blob digest), for one ~32 MiB file of either
 * <ul>
 *   <li>{@code jar}: random bytes behind a {@code PK\x03\x04} header (a jar's content is already
 *       deflated; Kiln's gzip stores such content instead of deflating it again), or</li>
 *   <li>{@code text}: pseudo-English (a vocabulary of common words in random sentences; gzip -6
 *       shrinks it about 2.8×).</li>
 * </ul>
 * Compared: Kiln's {@link LayerWriter} with gzip and with zstd (level 3), and the same pipeline
 * (commons-compress tar, sha256 on both sides) with plain {@link java.util.zip.GZIPOutputStream} at
 * levels 1 and 6, and with a simple parallel gzip ({@link ParallelGzipOutputStream}: 1 MiB chunks,
 * level 6, one gzip member each, on a 2-thread pool).
 *
 * <p>The primary score is layers per second; the {@code mbPerSec} secondary score is the input
 * processed, in MB (10^6 bytes) per second. Run: {@code java -jar kiln-bench.jar LayerThroughput -f 1 -wi 1 -i 3}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class LayerThroughputBenchmark {
    static final int BUFFER_SIZE = 64 * 1024;
    static final int PARALLEL_CHUNK = 1024 * 1024;
    static final int PARALLEL_THREADS = 2;
    private static final String[] WORDS = ("the of and to a in is it you that he was for on are with as his they be at one have this "
            + "from or had by word but what some we can out other were all there when up use your how said an each she which "
            + "do their time if will way about many then them write would like so these her long make thing see him two has "
            + "look more day could go come did number sound no most people my over know water than call first who may down "
            + "side been now find any new work part take get place made live where after back little only round man year "
            + "came show every good me give our under name very through just form sentence great think say help low line "
            + "differ turn cause much mean before move right boy old too same tell does set three want air well also play "
            + "small end put home read hand port large spell add even land here must big high such follow act why ask men "
            + "change went light kind off need house picture try us again animal point mother world near build self earth "
            + "father head stand own page should country found answer school grow study still learn plant cover food sun "
            + "checkpoint stream operator watermark parallelism savepoint taskmanager jobmanager kafka partition").split(" ");

    /** {@code jar} (already compressed) or {@code text}. */
    @Param({"jar", "text"})
    public String data;

    /** The input file's size. */
    @Param({"32"})
    public int sizeMiB;

    private Path dir;
    private Path input;
    private long inputBytes;
    private String entryName;
    private LayerSource source;
    private LayerWriter gzipWriter;
    private LayerWriter zstdWriter;
    private ExecutorService pool;

    /** Input processed, in MB (10^6 bytes); JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Processed {
        public double mbPerSec;

        void add(long bytes) {
            mbPerSec += bytes / 1e6;
        }
    }

    @Setup(Level.Trial)
    public void prepare() throws IOException {
        dir = Files.createTempDirectory("kiln-bench-layer");
        long size = sizeMiB * 1024L * 1024L;
        if (data.equals("jar")) {
            input = dir.resolve("job.jar");
            writeJarLike(input, size);
            entryName = "opt/flink/usrlib/job.jar";
        } else if (data.equals("text")) {
            input = dir.resolve("notes.txt");
            writeTextLike(input, size);
            entryName = "opt/flink/conf/notes.txt";
        } else {
            throw new IllegalArgumentException("data must be jar or text, not " + data);
        }
        inputBytes = Files.size(input);
        source = new LayerSource(input, "/" + entryName);
        gzipWriter = new LayerWriter(Instant.EPOCH, Compression.GZIP);
        zstdWriter = new LayerWriter(Instant.EPOCH, Compression.ZSTD);
        pool = Executors.newFixedThreadPool(PARALLEL_THREADS, r -> {
            Thread thread = new Thread(r, "parallel-gzip");
            thread.setDaemon(true);
            return thread;
        });
    }

    @TearDown(Level.Trial)
    public void cleanUp() throws IOException {
        pool.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public byte[] layerWriterGzip(Processed processed) {
        return layer(gzipWriter, processed);
    }

    @Benchmark
    public byte[] layerWriterZstd(Processed processed) {
        return layer(zstdWriter, processed);
    }

    @Benchmark
    public byte[] jdkGzipLevel1(Processed processed) throws IOException {
        return tarThrough(out -> new ParallelGzipOutputStream.LevelGzipOutputStream(out, 1), processed);
    }

    @Benchmark
    public byte[] jdkGzipLevel6(Processed processed) throws IOException {
        return tarThrough(out -> new ParallelGzipOutputStream.LevelGzipOutputStream(out, 6), processed);
    }

    @Benchmark
    public byte[] parallelGzipLevel6(Processed processed) throws IOException {
        return tarThrough(out -> new ParallelGzipOutputStream(out, pool, PARALLEL_THREADS, PARALLEL_CHUNK, 6), processed);
    }

    private byte[] layer(LayerWriter writer, Processed processed) {
        HashingSink sink = new HashingSink();
        LayerResult result = writer.write(source, sink);
        if (result.uncompressedSize() < inputBytes) {
            throw new IllegalStateException("short layer");
        }
        processed.add(inputBytes);
        return sink.digest();
    }

    interface CompressorFactory {
        OutputStream open(OutputStream out) throws IOException;
    }

    /**
     * What {@link LayerWriter} does, with another compressor: the file as one tar entry, the tar
     * gathered into 64 KiB chunks and hashed, then compressed into a hashing sink.
     */
    private byte[] tarThrough(CompressorFactory compressor, Processed processed) throws IOException {
        HashingSink sink = new HashingSink();
        MessageDigest diffId = HashingSink.sha256();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new BufferedOutputStream(new DigestOutputStream(compressor.open(sink), diffId), BUFFER_SIZE),
                StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry = new TarArchiveEntry(entryName);
            entry.setSize(inputBytes);
            entry.setMode(0644);
            entry.setIds(0, 0);
            entry.setNames("", "");
            entry.setLastModifiedTime(FileTime.from(Instant.EPOCH));
            tar.putArchiveEntry(entry);
            byte[] buffer = new byte[BUFFER_SIZE];
            try (InputStream in = Files.newInputStream(input)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    tar.write(buffer, 0, n);
                }
            }
            tar.closeArchiveEntry();
        }
        diffId.digest();
        processed.add(inputBytes);
        return sink.digest();
    }

    /** A jar's shape as far as compression goes: a zip local header, then incompressible bytes. */
    static void writeJarLike(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] block = new byte[BUFFER_SIZE];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER_SIZE)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                if (written == 0) {
                    block[0] = 'P';
                    block[1] = 'K';
                    block[2] = 3;
                    block[3] = 4;
                }
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    /** Pseudo-English: sentences of 4 to 15 words from {@link #WORDS}, lines of about 72 characters. */
    static void writeTextLike(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        StringBuilder line = new StringBuilder(128);
        long written = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER_SIZE)) {
            while (written < size) {
                int words = 4 + random.nextInt(12);
                for (int w = 0; w < words && written < size; w++) {
                    String word = WORDS[random.nextInt(WORDS.length)];
                    if (w == 0) {
                        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                    }
                    line.append(word).append(w == words - 1 ? (random.nextInt(5) == 0 ? ", " : ". ") : " ");
                    if (line.length() >= 72) {
                        line.setCharAt(line.length() - 1, '\n');
                        byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
                        int n = (int) Math.min(bytes.length, size - written);
                        out.write(bytes, 0, n);
                        written += n;
                        line.setLength(0);
                    }
                }
            }
        }
    }
}
