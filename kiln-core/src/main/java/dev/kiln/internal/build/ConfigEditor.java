package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Derives the new image config from the base's JSON tree, so fields Kiln does not model (health
 * checks, stop signals, vendor extensions) pass through untouched, and the output is a pure
 * function of the base config and the build's inputs.
 */
final class ConfigEditor {
    private ConfigEditor() {
    }

    /** A layer this build adds, as the config records it. */
    record AddedLayer(Digest diffId, String createdBy) {
    }

    static byte[] edit(byte[] baseConfig, Platform scratchPlatform, ConfigChanges changes, List<AddedLayer> layers,
                       Instant created) {
        ObjectNode root = baseConfig == null ? scratch(scratchPlatform) : (ObjectNode) ImageJson.tree(baseConfig, "base image config");
        String createdText = created.toString();
        root.put("created", createdText);
        ObjectNode config = root.has("config") && root.get("config").isObject() ? (ObjectNode) root.get("config") : root.putObject("config");
        applyEnv(config, changes.env());
        if (changes.entrypoint() != null) {
            config.set("Entrypoint", strings(changes.entrypoint()));
            if (changes.cmd() == null) {
                config.remove("Cmd");
            }
        }
        if (changes.cmd() != null) {
            config.set("Cmd", strings(changes.cmd()));
        }
        if (changes.workingDir() != null) {
            config.put("WorkingDir", changes.workingDir());
        }
        if (changes.user() != null) {
            config.put("User", changes.user());
        }
        if (!changes.labels().isEmpty()) {
            ObjectNode labels = object(config, "Labels");
            changes.labels().forEach(labels::put);
        }
        if (!changes.volumes().isEmpty()) {
            ObjectNode volumes = object(config, "Volumes");
            changes.volumes().forEach(volumes::putObject);
        }
        if (!changes.exposedPorts().isEmpty()) {
            ObjectNode ports = object(config, "ExposedPorts");
            changes.exposedPorts().forEach(port -> ports.putObject(port.contains("/") ? port : port + "/tcp"));
        }
        ObjectNode rootfs = object(root, "rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.has("diff_ids") && rootfs.get("diff_ids").isArray() ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids");
        ArrayNode history = root.has("history") && root.get("history").isArray() ? (ArrayNode) root.get("history") : root.putArray("history");
        for (AddedLayer layer : layers) {
            diffIds.add(layer.diffId().toString());
            history.addObject().put("created", createdText).put("created_by", layer.createdBy()).put("comment", "kiln");
        }
        if (layers.isEmpty() || !changes.isNone()) {
            history.addObject().put("created", createdText).put("created_by", "kiln: config").put("empty_layer", true);
        }
        return ImageJson.write(root);
    }

    private static ObjectNode scratch(Platform platform) {
        ObjectNode root = ImageJson.MAPPER.createObjectNode();
        root.put("architecture", platform.architecture());
        root.put("os", platform.os());
        if (platform.variant() != null) {
            root.put("variant", platform.variant());
        }
        return root;
    }

    private static void applyEnv(ObjectNode config, Map<String, String> env) {
        if (env.isEmpty()) {
            return;
        }
        ArrayNode list = config.has("Env") && config.get("Env").isArray() ? (ArrayNode) config.get("Env") : config.putArray("Env");
        env.forEach((name, value) -> {
            String entry = name + "=" + value;
            for (int i = 0; i < list.size(); i++) {
                String existing = list.get(i).asText();
                if (existing.equals(name) || existing.startsWith(name + "=")) {
                    list.set(i, list.textNode(entry));
                    return;
                }
            }
            list.add(entry);
        });
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        return node != null && node.isObject() ? (ObjectNode) node : parent.putObject(field);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = ImageJson.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
