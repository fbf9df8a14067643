package dev.kiln.api;

import java.util.List;
import java.util.Map;

/**
 * An image's identity and runtime configuration, from its manifest and config.
 *
 * @param created the config's creation time as recorded (RFC 3339), or {@code null}
 */
public record ImageInfo(String reference, String digest, String indexDigest, String platform, String mediaType,
                        List<LayerInfo> layers, long size, List<String> env, List<String> entrypoint,
                        List<String> cmd, String workingDir, String user, Map<String, String> labels,
                        List<String> exposedPorts, String created, String source, long requests) {
}
