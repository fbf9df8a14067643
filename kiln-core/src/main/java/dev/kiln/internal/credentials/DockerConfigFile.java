package dev.kiln.internal.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.error.CredentialException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * Changes to the {@code auths} of a Docker client {@code config.json}, as {@code docker login} and
 * {@code docker logout} make them: everything else in the file is kept as it was; a missing file and
 * its directory are created (mode 0600 and 0700, since the file holds secrets); the new content
 * replaces the old in one rename, so a reader sees either; a symbolic link to the file (dot-file
 * managers make them) is followed, not replaced.
 */
final class DockerConfigFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private DockerConfigFile() {
    }

    /** Sets {@code auths} of {@code host} to {@code credential}, replacing every entry spelling the same registry. */
    static void store(Path file, String host, Credential credential) {
        ObjectNode root = read(file);
        ObjectNode auths = root.get("auths") instanceof ObjectNode existing ? existing : root.putObject("auths");
        removeEntries(auths, host);
        ObjectNode entry = auths.putObject(RegistryHosts.helperServerUrl(host));
        if (credential.isIdentityToken()) {
            entry.put("identitytoken", credential.secret());
        } else {
            String pair = credential.username() + ":" + credential.secret();
            entry.put("auth", Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        write(file, root);
    }

    /**
     * Removes every {@code auths} entry of {@code host}, whatever its spelling.
     *
     * @return false if there was none (the file is then left untouched, or not created)
     */
    static boolean erase(Path file, String host) {
        if (!Files.exists(file)) {
            return false;
        }
        ObjectNode root = read(file);
        if (!(root.get("auths") instanceof ObjectNode auths) || !removeEntries(auths, host)) {
            return false;
        }
        write(file, root);
        return true;
    }

    private static boolean removeEntries(ObjectNode auths, String host) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> names = auths.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (RegistryHosts.canonical(key).equals(host)) {
                keys.add(key);
            }
        }
        auths.remove(keys);
        return !keys.isEmpty();
    }

    /** The file as a JSON object; checked by {@link DockerConfig#read} first, so that its errors are the reader's. */
    private static ObjectNode read(Path file) {
        DockerConfig.read(file);
        try {
            String content = Files.readString(file);
            return content.isBlank() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(content);
        } catch (NoSuchFileException e) {
            return JSON.createObjectNode();
        } catch (IOException e) {
            throw new CredentialException("cannot read Docker config " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, JsonNode root) {
        try {
            Path target = Files.isSymbolicLink(file) ? file.toRealPath() : file.toAbsolutePath();
            Path dir = target.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, permissions("rwx------"));
            }
            Path temporary = Files.createTempFile(dir, target.getFileName() + ".", ".tmp", permissions("rw-------"));
            try {
                Files.writeString(temporary, JSON.writeValueAsString(root) + "\n");
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new CredentialException("cannot write Docker config " + file + ": " + e.getMessage(), e);
        }
    }

    private static FileAttribute<?>[] permissions(String mode) {
        return POSIX ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))}
                : new FileAttribute<?>[0];
    }
}
