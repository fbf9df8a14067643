package dev.kiln.internal.registry;

import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.api.PullRequest;
import dev.kiln.api.PullResult;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pulls from a real registry that speaks HTTPS only, with a self-signed certificate: Kiln finds out
 * that the loopback registry wants TLS, verifies it against the configured CA file (or skips the
 * verification for an insecure registry), and fails with a message saying how to trust the CA.
 */
class TlsRegistryTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.tls(7);
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final AtomicInteger REPOS = new AtomicInteger();

    @TempDir
    Path cacheDir;

    private KilnBuilder kiln() {
        return TestKilns.builder(cacheDir);
    }

    private static TestImages.Pushed pushFresh() {
        return REGISTRY.images().push("tls/app" + REPOS.incrementAndGet() + ":1", AMD64, 40_000, 10_000);
    }

    @Test
    void fixtureServesHttpsOnlyWithTheCertificateItHandsOut() throws Exception {
        assertThat(REGISTRY.registry().url()).isEqualTo("https://" + REGISTRY.registry().hostPort()).startsWith("https://127.0.0.1:");
        assertThat(REGISTRY.registry().isTls()).isTrue();
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(REGISTRY.registry().caCertificate())) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        List<Object> names = certificate.getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList();
        assertThat(names).as("subject alternative names").contains("127.0.0.1", "localhost");
        assertThat(REGISTRY.registry().registryOptions().caFiles()).containsEntry(REGISTRY.registry().hostPort(), REGISTRY.registry().caCertificate());

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("registry", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context).build();
        HttpClient systemTrust = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        long mark = REGISTRY.registry().mark();
        HttpResponse<String> https = trusting.send(HttpRequest.newBuilder(URI.create(REGISTRY.registry().url() + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(https.statusCode()).isEqualTo(200);
        assertThat(https.headers().firstValue("Docker-Distribution-Api-Version")).hasValue("registry/2.0");
        HttpResponse<String> plain = systemTrust.send(
                HttpRequest.newBuilder(URI.create("http://" + REGISTRY.registry().hostPort() + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).contains("Client sent an HTTP request to an HTTPS server");
        assertThatThrownBy(() -> systemTrust.send(HttpRequest.newBuilder(URI.create(REGISTRY.registry().url() + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()))
                .as("the certificate is not in the system trust store").isInstanceOf(SSLHandshakeException.class);

        assertThat(REGISTRY.registry().requestsSince(mark)).as("only the verified HTTPS request reached the registry")
                .containsExactly(new AccessLogEntry("GET", "/v2/", 200));
    }

    @Test
    void withoutTheCaFileVerificationFailsAndSaysHowToTrustTheCa() {
        TestImages.Pushed image = pushFresh();
        try (Kiln kiln = kiln().build()) {
            long mark = REGISTRY.registry().mark();
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.ref())))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining("TLS verification failed")
                    .hasMessageContaining(REGISTRY.registry().hostPort())
                    .hasMessageContaining("--ca-file")
                    .hasMessageContaining("--insecure-registry");
            assertThat(REGISTRY.registry().requestsSince(mark)).as("no request got past the handshake").isEmpty();
        }
        assertThat(cacheDir.resolve("store/blobs")).doesNotExist();
    }

    @Test
    void withTheCaFileThePullSucceedsAndHttpsIsRemembered() {
        TestImages.Pushed image = pushFresh();
        try (Kiln kiln = kiln().caFile(REGISTRY.registry().hostPort(), REGISTRY.registry().caCertificate()).build()) {
            PullResult cold = kiln.pull(PullRequest.of(image.ref()));
            assertThat(cold.digest()).isEqualTo(image.digest().toString());
            assertThat(cold.source()).isEqualTo(REGISTRY.registry().hostPort());
            assertThat(cold.layersFetched()).isEqualTo(2);

            long mark = REGISTRY.registry().mark();
            PullResult again = kiln.pull(PullRequest.builder(image.ref()).policy(PullPolicy.ALWAYS).build());
            List<AccessLogEntry> requests = REGISTRY.registry().requestsSince(mark);
            assertThat(requests).containsExactly(new AccessLogEntry("HEAD",
                    "/v2/" + image.reference().repository() + "/manifests/1", 200));
            assertThat(again.requests()).as("no plain-HTTP attempt first: the instance remembers HTTPS").isEqualTo(1);
            assertThat(again.digest()).isEqualTo(image.digest().toString());
        }
    }

    @Test
    void aNewInstanceFindsHttpsEvenWhenItsFirstRequestIsAHead() {
        TestImages.Pushed image = pushFresh();
        try (Kiln kiln = kiln().caFile(REGISTRY.registry().hostPort(), REGISTRY.registry().caCertificate()).build()) {
            kiln.pull(PullRequest.of(image.ref()));
        }
        // A new instance knows no scheme yet; under ALWAYS with a warm store its first request is a
        // manifest HEAD, whose 400 over plain HTTP carries no body to say "HTTPS server".
        try (Kiln kiln = kiln().caFile(REGISTRY.registry().hostPort(), REGISTRY.registry().caCertificate()).build()) {
            long mark = REGISTRY.registry().mark();
            PullResult result = kiln.pull(PullRequest.builder(image.ref()).policy(PullPolicy.ALWAYS).build());
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(result.layersFetched()).isZero();
            assertThat(REGISTRY.registry().requestsSince(mark)).containsExactly(new AccessLogEntry("HEAD",
                    "/v2/" + image.reference().repository() + "/manifests/1", 200));
        }
    }

    @Test
    void aPullThroughCacheOfTheTlsRegistryTrustsItsCertificate() {
        TestImages.Pushed image = pushFresh();
        try (RegistryFixture cache = RegistryFixture.proxyOf(REGISTRY.registry());
             Kiln kiln = kiln().build()) {
            assertThat(cache.isTls()).isFalse();
            assertThat(cache.url()).startsWith("http://");
            String viaCache = cache.hostPort() + "/" + image.reference().repository() + ":1";
            PullResult result = kiln.pull(PullRequest.of(viaCache));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(cache.requests()).contains(new AccessLogEntry("GET",
                    "/v2/" + image.reference().repository() + "/manifests/1", 200));
        }
    }

    @Test
    void anInsecureRegistryIsPulledWithoutVerification() {
        TestImages.Pushed image = pushFresh();
        try (Kiln kiln = kiln().insecureRegistry(REGISTRY.registry().hostPort()).build()) {
            PullResult result = kiln.pull(PullRequest.of(image.ref()));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(result.layersFetched()).isEqualTo(2);
        }
    }

    @Test
    void aCaFileThatIsNotPemIsRejectedByName() throws Exception {
        TestImages.Pushed image = pushFresh();
        Path notPem = Files.writeString(cacheDir.resolve("registry-ca.txt"), "this is not a certificate\n");
        try (Kiln kiln = kiln().caFile(REGISTRY.registry().hostPort(), notPem).build()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.ref())))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("CA file")
                    .hasMessageContaining(notPem.toString());
        }
        assertThat(cacheDir.resolve("store/blobs")).doesNotExist();
    }
}
