package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.Ledger;
import dev.kiln.internal.store.LocalStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Moves an image Kiln built onto a new base without rebuilding it (crane rebase's rule): the manifest
 * gets the new base's layers under the image's own, the config the new base's diff ids and history in
 * place of the old base's; everything else in the config stays. What it makes is published by the
 * {@link BuildRunner} like any build.
 */
record Rebase(LocalStore store, Resolver resolver, ImageBuilder images) {

    /** Resolves the image, its old base (its annotations, else the ledger) and the new one ({@code null}: the old tag now), and rebases. */
    Result rebase(Reference imageRef, Reference newBase, Reference target, Platform platform, Telemetry telemetry) {
        ResolvedImage current = resolver.resolve(new PullSpec(imageRef, platform, PullPolicy.ALWAYS, null, false), telemetry);
        Map<String, String> annotations = current.parsedManifest().annotations();
        String baseName = annotations.get("org.opencontainers.image.base.name");
        String baseDigest = annotations.get("org.opencontainers.image.base.digest");
        if (baseName == null || baseDigest == null) {
            Ledger.Entry entry = store.ledger().entries().stream()
                    .filter(e -> e.digest().equals(current.digest()) && e.base() != null).reduce((a, b) -> b)
                    .orElseThrow(() -> new InvalidInputException("cannot tell which base " + imageRef + " was built on: it names none "
                            + "(org.opencontainers.image.base.name/digest) and Kiln's ledger has no build of it"));
            baseName = entry.base();
            baseDigest = entry.baseDigest().toString();
        }
        Reference oldRef = Reference.parse(baseName);
        ResolvedImage oldBase = resolver.resolve(new PullSpec(oldRef.withDigest(Digest.parse(baseDigest)), platform,
                PullPolicy.IF_NOT_PRESENT, null, false), telemetry);
        Reference newRef = newBase != null ? newBase : new Reference(oldRef.registry(), oldRef.repository(), oldRef.tag(), null);
        ResolvedImage base = resolver.resolve(new PullSpec(newRef, platform, PullPolicy.ALWAYS, null, false), telemetry);
        return new Result(current, base, move(current, oldBase, base, target));
    }

    /** The image as it was, the base it moves to, and its new manifest. */
    record Result(ResolvedImage image, ResolvedImage newBase, RawManifest manifest) {
    }

    /**
     * Refused when the image's lower layers, diff ids or history are not exactly the old base's. The
     * application layers are not downloaded: the target must be the image's repository, which has them.
     */
    private RawManifest move(ResolvedImage image, ResolvedImage oldBase, ResolvedImage newBase, Reference target) {
        if (!target.name().equals(image.reference().name())) {
            throw new InvalidInputException("a rebase is pushed to the image's own repository " + image.reference().name()
                    + ", which has its application layers; not to " + target.name());
        }
        List<Descriptor> layers = image.parsedManifest().layers();
        List<Descriptor> oldLayers = oldBase.parsedManifest().layers();
        boolean onOldBase = layers.size() >= oldLayers.size() && IntStream.range(0, oldLayers.size())
                .allMatch(i -> layers.get(i).digest().equals(oldLayers.get(i).digest()));
        ObjectNode config = (ObjectNode) ImageJson.tree(image.configBytes(), "image config of " + image.reference());
        JsonNode oldConfig = ImageJson.tree(oldBase.configBytes(), "config of " + oldBase.reference());
        JsonNode newConfig = ImageJson.tree(newBase.configBytes(), "config of " + newBase.reference());
        List<JsonNode> diffIds = elements(config.path("rootfs").path("diff_ids"));
        List<JsonNode> oldDiffIds = elements(oldConfig.path("rootfs").path("diff_ids"));
        List<JsonNode> history = elements(config.path("history"));
        List<JsonNode> oldHistory = elements(oldConfig.path("history"));
        if (!onOldBase || diffIds.size() < oldDiffIds.size() || !diffIds.subList(0, oldDiffIds.size()).equals(oldDiffIds)
                || history.size() < oldHistory.size() || !history.subList(0, oldHistory.size()).equals(oldHistory)) {
            throw new InvalidInputException("image " + image.reference() + " is not built on " + oldBase.reference() + " ("
                    + oldBase.digest().shortHex() + "): its lower layers, diff ids or history are not exactly the base's");
        }
        ((ObjectNode) config.get("rootfs")).set("diff_ids", replaceBase(newConfig.path("rootfs").path("diff_ids"), diffIds, oldDiffIds));
        config.set("history", replaceBase(newConfig.path("history"), history, oldHistory));
        return images.storeImage(ImageJson.write(config), newBase, layers.subList(oldLayers.size(), layers.size()));
    }

    /** The new base's entries, then the image's own ones above the old base's. */
    private static ArrayNode replaceBase(JsonNode newBase, List<JsonNode> image, List<JsonNode> oldBase) {
        ArrayNode replaced = ImageJson.MAPPER.createArrayNode();
        newBase.forEach(replaced::add);
        image.subList(oldBase.size(), image.size()).forEach(replaced::add);
        return replaced;
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }
}
