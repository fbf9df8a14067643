package dev.kiln.image;

import dev.kiln.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Expected values follow distribution/reference ParseNormalizedNamed (plus TagNameOnly's "latest"). */
class ReferenceTest {
    private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String DIGEST = "sha256:" + HEX;

    static Stream<Arguments> normalized() {
        return Stream.of(
                // input, registry, repository, tag, digest (nullable)
                arguments("flink", "docker.io", "library/flink", "latest", null),
                arguments("flink:1.18", "docker.io", "library/flink", "1.18", null),
                arguments("apache/flink:1.18-java17", "docker.io", "apache/flink", "1.18-java17", null),
                arguments("docker.io/flink", "docker.io", "library/flink", "latest", null),
                arguments("docker.io/library/flink:1.18", "docker.io", "library/flink", "1.18", null),
                arguments("docker.io/apache/flink", "docker.io", "apache/flink", "latest", null),
                arguments("index.docker.io/library/flink", "docker.io", "library/flink", "latest", null),
                arguments("index.docker.io/flink", "docker.io", "library/flink", "latest", null),
                arguments("localhost/foo", "localhost", "foo", "latest", null),
                arguments("localhost:5000/foo:bar", "localhost:5000", "foo", "bar", null),
                arguments("localhost:5000/foo@" + DIGEST, "localhost:5000", "foo", null, DIGEST),
                arguments("Registry.Example.COM:5000/a", "Registry.Example.COM:5000", "a", "latest", null),
                arguments("127.0.0.1:5000/ns/repo:tag@" + DIGEST, "127.0.0.1:5000", "ns/repo", "tag", DIGEST),
                arguments("[::1]:5000/repo", "[::1]:5000", "repo", "latest", null),
                arguments("[::1]/repo", "[::1]", "repo", "latest", null),
                arguments("repo@" + DIGEST, "docker.io", "library/repo", null, DIGEST),
                arguments("ghcr.io/a/b/c", "ghcr.io", "a/b/c", "latest", null),
                arguments("ghcr.io/a/b/c:v1.2.3", "ghcr.io", "a/b/c", "v1.2.3", null),
                arguments("registry.example.com:443/team/app:1", "registry.example.com:443", "team/app", "1", null),
                arguments("a__b", "docker.io", "library/a__b", "latest", null),
                arguments("a--b", "docker.io", "library/a--b", "latest", null),
                arguments("a---b", "docker.io", "library/a---b", "latest", null),
                arguments("a.b", "docker.io", "library/a.b", "latest", null),
                arguments("ns/a_b-c.d", "docker.io", "ns/a_b-c.d", "latest", null),
                arguments("ghcr.io/a_b/c-d/e.f__g", "ghcr.io", "a_b/c-d/e.f__g", "latest", null),
                // a first component without '.', ':' and other than localhost is a Docker Hub namespace
                arguments("myhost/repo", "docker.io", "myhost/repo", "latest", null),
                // ... even if it has a port-less name that looks like a host
                arguments("registry/ns/repo", "docker.io", "registry/ns/repo", "latest", null),
                // a single name component followed by a number is a tag, not a port (Docker does the same)
                arguments("localhost:5000", "docker.io", "library/localhost", "5000", null),
                arguments("localhost", "docker.io", "library/localhost", "latest", null),
                // Docker treats an uppercase first component as a domain
                arguments("Foo/bar", "Foo", "bar", "latest", null),
                // tags may hold uppercase and underscores
                arguments("flink:Latest_1.X", "docker.io", "library/flink", "Latest_1.X", null),
                arguments("flink:_x", "docker.io", "library/flink", "_x", null),
                arguments("flink:1.18@" + DIGEST, "docker.io", "library/flink", "1.18", DIGEST),
                // a 64-hex string with a tag is a legal name; only the bare 64-hex string is refused
                arguments(HEX + ":1", "docker.io", "library/" + HEX, "1", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("normalized")
    void normalizesLikeDocker(String input, String registry, String repository, String tag, String digest) {
        Reference ref = Reference.parse(input);

        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.digest()).isEqualTo(digest == null ? null : Digest.parse(digest));
        assertThat(ref.name()).isEqualTo(registry + "/" + repository);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("normalized")
    void toStringRoundTrips(String input) {
        Reference ref = Reference.parse(input);

        Reference again = Reference.parse(ref.toString());

        assertThat(again).isEqualTo(ref);
        assertThat(again.toString()).isEqualTo(ref.toString());
    }

    @Test
    void toStringIsTheFullyQualifiedForm() {
        assertThat(Reference.parse("flink").toString()).isEqualTo("docker.io/library/flink:latest");
        assertThat(Reference.parse("apache/flink:1.18-java17").toString()).isEqualTo("docker.io/apache/flink:1.18-java17");
        assertThat(Reference.parse("repo@" + DIGEST).toString()).isEqualTo("docker.io/library/repo@" + DIGEST);
        assertThat(Reference.parse("127.0.0.1:5000/ns/repo:tag@" + DIGEST).toString())
                .isEqualTo("127.0.0.1:5000/ns/repo:tag@" + DIGEST);
    }

    @Test
    void identifierIsTheTagUnlessPinned() {
        Reference tagged = Reference.parse("flink:1.18");
        Reference digestOnly = Reference.parse("repo@" + DIGEST);
        Reference both = Reference.parse("flink:1.18@" + DIGEST);

        assertThat(tagged.identifier()).isEqualTo("1.18");
        assertThat(tagged.isPinned()).isFalse();
        assertThat(digestOnly.identifier()).isEqualTo(DIGEST);
        assertThat(digestOnly.tag()).isNull();
        assertThat(digestOnly.isPinned()).isTrue();
        // the digest wins over the tag: the tag is informational once content is pinned
        assertThat(both.identifier()).isEqualTo(DIGEST);
        assertThat(both.isPinned()).isTrue();
    }

    @Test
    void withDigestPinsAndKeepsTheTag() {
        Digest digest = Digest.parse(DIGEST);

        Reference pinned = Reference.parse("ghcr.io/a/b:1").withDigest(digest);

        assertThat(pinned).isEqualTo(new Reference("ghcr.io", "a/b", "1", digest));
        assertThat(pinned.identifier()).isEqualTo(DIGEST);
        assertThat(pinned.toString()).isEqualTo("ghcr.io/a/b:1@" + DIGEST);
    }

    @Test
    void constructorDefaultsTheTagOnlyWhenThereIsNoDigest() {
        assertThat(new Reference("docker.io", "library/flink", null, null).tag()).isEqualTo("latest");
        assertThat(new Reference("docker.io", "library/flink", null, Digest.parse(DIGEST)).tag()).isNull();
    }

    @Test
    void maximumTagLengthIsAccepted() {
        String tag = "a".repeat(128);

        assertThat(Reference.parse("repo:" + tag).tag()).isEqualTo(tag);
    }

    @Test
    void repositoryPathOfExactly255CharactersIsAccepted() {
        String path = "a/" + "b".repeat(253);

        Reference ref = Reference.parse("registry.example.com:5000/" + path);

        assertThat(ref.repository()).hasSize(255);
    }

    @Test
    void registryHostDoesNotCountTowardsTheLengthLimit() {
        // distribution/reference v0.6 (Docker 25+, containerd 1.7+) limits the path only
        String registry = "a-very-long-registry-host-name.eu-central-1.example.com:5000";
        String path = "team/" + "c".repeat(250);

        Reference ref = Reference.parse(registry + "/" + path);

        assertThat(ref.name()).hasSizeGreaterThan(255);
        assertThat(ref.repository()).isEqualTo(path);
    }

    @Test
    void lengthLimitCountsTheImplicitLibraryPrefix() {
        // Docker checks the normalized path: library/ + 247 = 255 fits, library/ + 248 does not
        assertThat(Reference.parse("a".repeat(247)).repository()).hasSize(255);
        assertThatThrownBy(() -> Reference.parse("a".repeat(248)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("longer than 255");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                // input, fragment of the message
                arguments("", "empty"),
                arguments(" flink", "whitespace"),
                arguments("flink ", "whitespace"),
                arguments("flink\n", "whitespace"),
                arguments("\tflink", "whitespace"),
                arguments("fl ink", "invalid repository path component 'fl ink'"),
                arguments("flink :1.18", "invalid repository path component 'flink '"),
                arguments("flink:1 .18", "invalid tag '1 .18'"),
                arguments("Flink", "must be lowercase"),
                arguments("Flink:1.18", "must be lowercase"),
                arguments("docker.io/Flink", "must be lowercase"),
                arguments("apache/Flink", "must be lowercase"),
                arguments("ghcr.io/Org/repo", "must be lowercase"),
                arguments("repo:-x", "invalid tag '-x'"),
                arguments("repo:.x", "invalid tag '.x'"),
                arguments("repo:", "invalid tag ''"),
                arguments("repo:a+b", "invalid tag 'a+b'"),
                arguments("repo:" + "a".repeat(129), "invalid tag"),
                arguments("repo@sha256:abc", "expected 64 lowercase hex"),
                arguments("repo@sha256:" + HEX.toUpperCase(), "expected 64 lowercase hex"),
                arguments("repo@md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm 'md5'"),
                arguments("repo@" + HEX, "invalid digest"),
                arguments("repo@", "invalid digest"),
                arguments("@" + DIGEST, "missing repository name"),
                arguments("a//b", "invalid repository path component ''"),
                arguments("foo/", "invalid repository path component ''"),
                arguments("/foo", "invalid repository path component ''"),
                arguments("ghcr.io/", "missing repository name"),
                arguments("ghcr.io/a/", "invalid repository path component ''"),
                arguments("a___b", "invalid repository path component 'a___b'"),
                arguments("a..b", "invalid repository path component 'a..b'"),
                arguments("a_.b", "invalid repository path component 'a_.b'"),
                arguments("-a", "invalid repository path component '-a'"),
                arguments("a-", "invalid repository path component 'a-'"),
                arguments("_a", "invalid repository path component '_a'"),
                arguments("ns/.a", "invalid repository path component '.a'"),
                arguments("a/b!", "invalid repository path component 'b!'"),
                arguments("foo:bar/baz", "invalid registry host 'foo:bar'"),
                arguments("-host.io/repo", "invalid registry host '-host.io'"),
                arguments("host-.io/repo", "invalid registry host 'host-.io'"),
                arguments("host..io/repo", "invalid registry host 'host..io'"),
                // a first component with a '.' is a domain, and '_' is not allowed in domains (as in Docker)
                arguments("a_b-c.d/e", "invalid registry host 'a_b-c.d'"),
                arguments("host.io:/repo", "invalid registry host 'host.io:'"),
                arguments("[::1/repo", "invalid registry host"),
                // Docker refuses a bare 64-hex string: it is an image ID, not a name
                arguments(HEX, "64-byte hexadecimal"),
                // '..' and '.' are not path components, so a reference never escapes a directory
                arguments("a/../b", "invalid repository path component '..'"),
                arguments("./a", "invalid registry host '.'"),
                arguments("../etc/passwd", "invalid registry host '..'"),
                arguments("ghcr.io/" + "a".repeat(256), "longer than 255"),
                arguments("ghcr.io/a/" + "b".repeat(254), "longer than 255"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectsWithAClearMessage(String input, String messageFragment) {
        assertThatThrownBy(() -> Reference.parse(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid reference")
                .hasMessageContaining(messageFragment);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Reference.parse(null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink", "docker.io/library/flink:latest", "index.docker.io/library/flink:latest"})
    void equivalentSpellingsAreEqual(String spelling) {
        assertThat(Reference.parse(spelling)).isEqualTo(Reference.parse("flink:latest"));
        assertThat(Reference.parse(spelling).hashCode()).isEqualTo(Reference.parse("flink:latest").hashCode());
    }

    @Test
    void messageQuotesTheInput() {
        assertThatThrownBy(() -> Reference.parse("repo:-x"))
                .hasMessageStartingWith("invalid reference 'repo:-x'");
    }
}
