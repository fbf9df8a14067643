package dev.kiln.internal.store;

import dev.kiln.event.KilnEvent;
import dev.kiln.image.Descriptor;
import dev.kiln.image.MediaTypes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A base's file tree from its layers in the store: stacked as a runtime stacks them, each layer's entries read once. */
class StoredBaseFilesTest {
    @TempDir
    Path root;

    @TempDir
    Path out;

    /** A gzipped layer of {@code name[/]:content-or-link-spec} entries: trailing / a directory, {@code ->} a symlink, {@code =>} a hard link. */
    private static byte[] layer(String... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            for (String spec : entries) {
                TarArchiveEntry e;
                if (spec.endsWith("/")) {
                    e = new TarArchiveEntry(spec);
                } else if (spec.contains(" -> ")) {
                    e = new TarArchiveEntry(spec.split(" -> ")[0], TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(spec.split(" -> ")[1]);
                } else if (spec.contains(" => ")) {
                    e = new TarArchiveEntry(spec.split(" => ")[0], TarArchiveEntry.LF_LINK);
                    e.setLinkName(spec.split(" => ")[1]);
                } else {
                    e = new TarArchiveEntry(spec.split(":", 2)[0]);
                    e.setSize(spec.split(":", 2)[1].length());
                    e.setIds(9999, 9999);
                }
                tar.putArchiveEntry(e);
                if (!spec.endsWith("/") && !spec.contains(" -> ") && !spec.contains(" => ")) {
                    tar.write(spec.split(":", 2)[1].getBytes(StandardCharsets.UTF_8));
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static List<Descriptor> put(LocalStore store, byte[]... layers) {
        List<Descriptor> descriptors = new ArrayList<>();
        for (byte[] layer : layers) {
            store.blobs().put(layer);
            descriptors.add(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, dev.kiln.image.Digest.sha256(layer), layer.length));
        }
        return descriptors;
    }

    @Test
    void layersStackWithWhiteoutsOpaqueDirectoriesAndHardLinks() throws IOException {
        LocalStore store = LocalStore.open(root, event -> { }, true);
        List<Descriptor> layers = put(store,
                layer("etc/", "etc/passwd:root:x:0:0::/root:/bin/sh\n", "opt/", "opt/a/", "opt/a/old:1", "opt/b/", "opt/b/x:2", "opt/gone:3"),
                layer("opt/.wh.gone:", "opt/a/", "opt/a/.wh..wh..opq:", "opt/a/new:4", "opt/b:now a file", "opt/link -> a/new",
                        "opt/hard => opt/a/new"));
        BaseFiles base = new StoredBaseFiles(store, layers, l -> { }, event -> { });

        assertThat(base.tree().keySet()).containsExactly("etc", "etc/passwd", "opt", "opt/a", "opt/a/new", "opt/b", "opt/hard", "opt/link");
        assertThat(base.tree().get("opt/b").type()).isEqualTo('f');
        assertThat(base.tree().get("opt/hard").type()).as("a hard link is the file it links to").isEqualTo('f');
        assertThat(base.tree().get("opt/link").link()).isEqualTo("a/new");
        assertThat(base.tree().get("etc/passwd").content()).as("kept whole in the index").isNotNull();
        base.copy("opt/hard", out.resolve("hard"));
        assertThat(out.resolve("hard")).hasContent("4");
    }

    @Test
    void eachLayerIsReadOnceThenItsIndexServes() throws IOException {
        LocalStore store = LocalStore.open(root, event -> { }, true);
        List<Descriptor> layers = put(store, layer("opt/", "opt/flink/", "opt/flink/conf:x"));
        List<KilnEvent> events = new ArrayList<>();
        new StoredBaseFiles(store, layers, l -> { }, events::add).tree();
        assertThat(events).singleElement().asString().contains("index");
        assertThat(Files.list(root.resolve("layer-index"))).hasSize(1);

        store.blobs().delete(layers.get(0).digest());
        events.clear();
        BaseFiles warm = new StoredBaseFiles(store, layers, l -> {
            throw new AssertionError("the layer is not needed: its index serves");
        }, events::add);
        assertThat(warm.tree()).containsKey("opt/flink/conf");
        assertThat(events).isEmpty();
    }
}
