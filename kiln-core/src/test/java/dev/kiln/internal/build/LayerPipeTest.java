package dev.kiln.internal.build;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pipe between a layer's download and its upload, when the download is someone else's. */
class LayerPipeTest {
    private static byte[] blob(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void whenAnotherDownloadFetchedTheWholeBlobTheUploadReadsItFromTheStoreInTheSameStream() {
        byte[] stored = blob(1_000_000);   // several times the pipe's buffer
        LayerPipe pipe = new LayerPipe(stored.length);
        CompletableFuture<byte[]> upload = readAll(pipe.input());

        pipe.finished(() -> new ByteArrayInputStream(stored));

        assertThat(upload.join()).isEqualTo(stored);
    }

    @Test
    void aDownloadThatFedTheWholeBlobEndsTheStreamWithoutReadingTheStore() {
        byte[] downloaded = blob(300_000);
        LayerPipe pipe = new LayerPipe(downloaded.length);
        CompletableFuture<byte[]> upload = readAll(pipe.input());
        pipe.accept(downloaded, 0, downloaded.length);

        pipe.finished(() -> {
            throw new AssertionError("the store is not read when the download fed the pipe");
        });

        assertThat(upload.join()).isEqualTo(downloaded);
    }

    @Test
    void aBlobPartlyFedByThisDownloadFailsTheUploadInsteadOfMixingSources() {
        byte[] bytes = blob(100_000);
        LayerPipe pipe = new LayerPipe(bytes.length);
        CompletableFuture<byte[]> upload = readAll(pipe.input());
        pipe.accept(bytes, 0, 1000);

        pipe.finished(() -> new ByteArrayInputStream(bytes));

        assertThatThrownBy(upload::join).hasRootCauseInstanceOf(IOException.class)
                .rootCause().hasMessageContaining("part of the blob");
    }
}
