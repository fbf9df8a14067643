package dev.kiln.server.builds;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Held files under the names builds give them: one stable file per name, so Kiln's file digest cache can answer for it. */
class FileStoreTest {
    @TempDir
    Path tmp;

    private static String put(FileStore store, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        store.put(digest, new ByteArrayInputStream(bytes), 1 << 20);
        return digest;
    }

    @Test
    void everyBuildSeesTheSameNamedFileUntouched() throws Exception {
        FileStore store = new FileStore(tmp);
        Path held = store.path(put(store, "a dependency jar")).orElseThrow();

        Path first = store.named(held, "connector.jar");
        Object inode = Files.readAttributes(first, "unix:ino").get("ino");
        FileTime ctime = (FileTime) Files.getAttribute(first, "unix:ctime");
        FileTime mtime = Files.getLastModifiedTime(first);
        Thread.sleep(20);
        Path second = store.named(held, "connector.jar");

        assertThat(second).isEqualTo(first);
        assertThat(second.getFileName()).hasToString("connector.jar");
        assertThat(Files.readString(second)).isEqualTo("a dependency jar");
        assertThat(Files.readAttributes(second, "unix:ino").get("ino")).as("the same file, not a new link or copy").isEqualTo(inode);
        assertThat(Files.getAttribute(second, "unix:ctime")).as("a later build changes nothing the digest cache compares").isEqualTo(ctime);
        assertThat(Files.getLastModifiedTime(second)).isEqualTo(mtime);
        assertThat(store.named(held, "other-name.jar")).as("another name: another link to the same content")
                .isNotEqualTo(first).hasContent("a dependency jar");
    }

    @Test
    void retentionKeepsWhatBuildsUseAndRemovesTheRestWithItsNames() throws Exception {
        FileStore store = new FileStore(tmp);
        Path used = store.path(put(store, "used by a build")).orElseThrow();
        Path unused = store.path(put(store, "not used")).orElseThrow();
        Path unusedName = store.named(unused, "old.jar");
        FileTime longAgo = FileTime.fromMillis(1_000);
        for (Path p : new Path[] {used, unused, unusedName.getParent()}) {
            Files.setLastModifiedTime(p, longAgo);
        }
        Path usedName = store.named(used, "job.jar");

        assertThat(store.prune(System.currentTimeMillis() - 60_000)).isEqualTo(1);

        assertThat(used).exists();
        assertThat(usedName).exists();
        assertThat(unused).doesNotExist();
        assertThat(unusedName.getParent()).doesNotExist();
    }
}
