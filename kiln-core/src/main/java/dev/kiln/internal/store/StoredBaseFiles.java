package dev.kiln.internal.store;

import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@link BaseFiles} from the base's layers in the store: each layer's entries come from its
 * {@link LayerIndex} (the layer is read only when no index exists yet, fetched first when absent),
 * stacked bottom to top as a container runtime stacks them. Content is read from the layer that holds it.
 */
public final class StoredBaseFiles implements BaseFiles {
    private final LocalStore store;
    private final List<Descriptor> layers;
    private final Consumer<Descriptor> ensure;
    private final KilnListener listener;
    private NavigableMap<String, LayerIndex.Entry> tree;
    /** Where a path's content lives: its layer and its name in that layer's tar (a hard link's target). */
    private final Map<String, Map.Entry<Digest, String>> contents = new HashMap<>();

    /**
     * @param layers   the base's layers, bottom first
     * @param ensure   makes a layer blob present in the store (fetching it, and logging that it does)
     * @param listener told when a layer is read for its file list
     */
    public StoredBaseFiles(LocalStore store, List<Descriptor> layers, Consumer<Descriptor> ensure, KilnListener listener) {
        this.store = store;
        this.layers = List.copyOf(layers);
        this.ensure = ensure;
        this.listener = listener;
    }

    @Override
    public synchronized NavigableMap<String, LayerIndex.Entry> tree() {
        if (tree == null) {
            TreeMap<String, LayerIndex.Entry> merged = new TreeMap<>();
            for (Descriptor layer : layers) {
                List<LayerIndex.Entry> entries = LayerIndex.of(store.layout(), store.blobs(), layer.digest(), () -> {
                    ensure.accept(layer);
                    listener.onEvent(new KilnEvent.CacheDecision(layer.digest().shortHex(), "index",
                            "a RUN needs the base's files: reading this layer's file list once (kept in the store by digest)"));
                });
                stack(merged, layer.digest(), entries);
            }
            tree = Collections.unmodifiableNavigableMap(merged);
        }
        return tree;
    }

    /** One layer on top of {@code merged}: its whiteouts and opaque directories hide lower paths, then its entries replace them. */
    private void stack(TreeMap<String, LayerIndex.Entry> merged, Digest layer, List<LayerIndex.Entry> entries) {
        Map<String, LayerIndex.Entry> own = new HashMap<>();
        for (LayerIndex.Entry e : entries) {
            switch (e.type()) {
                case 'o' -> removeUnder(merged, e.path());
                case 'w' -> {
                    removeUnder(merged, e.path());
                    merged.remove(e.path());
                    contents.remove(e.path());
                }
                default -> own.put(e.path(), e);
            }
        }
        for (LayerIndex.Entry e : entries) {
            if (e.type() == 'o' || e.type() == 'w') {
                continue;
            }
            LayerIndex.Entry entry = e;
            String contentName = e.path();
            if (e.type() == 'h') {
                LayerIndex.Entry target = own.get(e.link());
                if (target == null || target.type() != 'f') {
                    continue; // a link to nothing in its layer: no runtime could extract it either
                }
                entry = new LayerIndex.Entry(e.path(), 'f', target.mode(), target.uid(), target.gid(), target.size(), null, target.content());
                contentName = target.path();
            }
            if (entry.type() != 'd') {
                removeUnder(merged, entry.path()); // a file over a lower directory hides what it held
            }
            merged.put(entry.path(), entry);
            if (entry.type() == 'f') {
                contents.put(entry.path(), Map.entry(layer, contentName));
            } else {
                contents.remove(entry.path());
            }
        }
    }

    private void removeUnder(TreeMap<String, LayerIndex.Entry> merged, String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        NavigableMap<String, LayerIndex.Entry> under = prefix.isEmpty() ? merged : merged.subMap(prefix, true, dir + "0", false);
        under.keySet().forEach(contents::remove);
        under.clear();
    }

    /** Groups the files by the layer that holds their content, and reads each such layer once. */
    @Override
    public void copyAll(Map<String, Path> targets) {
        Map<Digest, Map<String, List<Path>>> byLayer = new HashMap<>();
        for (Map.Entry<String, Path> t : targets.entrySet()) {
            LayerIndex.Entry entry = tree().get(t.getKey());
            Map.Entry<Digest, String> where = contents.get(t.getKey());
            if (entry == null || where == null) {
                throw new StoreException("the base has no file '/" + t.getKey() + "'");
            }
            if (entry.content() != null) {
                write(t.getValue(), entry.content());
            } else {
                byLayer.computeIfAbsent(where.getKey(), d -> new HashMap<>()).computeIfAbsent(where.getValue(), n -> new ArrayList<>())
                        .add(t.getValue());
            }
        }
        for (Map.Entry<Digest, Map<String, List<Path>>> layer : byLayer.entrySet()) {
            Map<String, List<Path>> wanted = new HashMap<>(layer.getValue());
            ensure.accept(layers.stream().filter(l -> l.digest().equals(layer.getKey())).findFirst().orElseThrow());
            LayerIndex.read(store.blobs(), layer.getKey(), (e, name, content) -> {
                List<Path> files = e.isFile() ? wanted.remove(name) : null;
                if (files != null) {
                    Files.copy(content, files.get(0), StandardCopyOption.REPLACE_EXISTING);
                    for (Path other : files.subList(1, files.size())) {
                        Files.copy(files.get(0), other, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return !wanted.isEmpty();
            });
            if (!wanted.isEmpty()) {
                throw new StoreException("layer " + layer.getKey().shortHex() + " does not hold '/" + wanted.keySet().iterator().next() + "'");
            }
        }
    }

    private static void write(Path target, byte[] content) {
        try {
            Files.write(target, content);
        } catch (IOException e) {
            throw BlobStore.storeFailure("writing " + target, e);
        }
    }

    @Override
    public void copy(String path, Path target) {
        copyAll(Map.of(path, target));
    }
}
