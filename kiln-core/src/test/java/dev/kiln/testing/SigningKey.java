package dev.kiln.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An RSA key and its self-signed certificate, made once per JVM with {@code keytool} (no dependency
 * can make a certificate) and shared by all fixtures: {@link #get()} is the key with which
 * {@link TokenServer} signs tokens, {@link #tlsServer()} the key and certificate of the HTTPS
 * registries of {@link RegistryFixture#tls()}.
 */
final class SigningKey {

    private static final String ALIAS = "kiln-token-issuer";
    private static final String TLS_ALIAS = "kiln-tls-server";
    private static final char[] STORE_PASSWORD = "kiln-test".toCharArray();

    private static volatile SigningKey instance;
    private static volatile SigningKey tlsInstance;

    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    private SigningKey(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    static SigningKey get() {
        SigningKey key = instance;
        if (key == null) {
            synchronized (SigningKey.class) {
                key = instance;
                if (key == null) {
                    key = generate(ALIAS, "CN=Kiln test token issuer", List.of());
                    instance = key;
                }
            }
        }
        return key;
    }

    /**
     * A TLS server key whose self-signed certificate names {@code 127.0.0.1} and {@code localhost}
     * (subject alternative names, which is what clients check), so that it is its own CA.
     */
    static SigningKey tlsServer() {
        SigningKey key = tlsInstance;
        if (key == null) {
            synchronized (SigningKey.class) {
                key = tlsInstance;
                if (key == null) {
                    key = generate(TLS_ALIAS, "CN=127.0.0.1, O=Kiln test registry",
                            List.of("-ext", "SAN=ip:127.0.0.1,dns:localhost"));
                    tlsInstance = key;
                }
            }
        }
        return key;
    }

    /** RS256 (RSASSA-PKCS1-v1_5 with SHA-256). */
    byte[] signRs256(byte[] data) {
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate as DER in standard (not URL) Base64, the form a JWT {@code x5c} header wants. */
    String certificateBase64() {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate in PEM, the form of the registry's {@code rootcertbundle}. */
    String certificatePem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), as Go's TLS servers read it. */
    String privateKeyPem() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    X509Certificate certificate() {
        return certificate;
    }

    private static SigningKey generate(String alias, String dname, List<String> extraArgs) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kiln-signing-key-");
            Path keystore = dir.resolve("key.p12");
            List<String> command = new ArrayList<>(List.of(Commands.keytool(), "-genkeypair",
                    "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
                    "-dname", dname,
                    // a day of slack so that clock skew can never make the certificate "not yet valid"
                    "-startdate", "-1d", "-validity", "3650",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD)));
            command.addAll(extraArgs);
            Commands.run(Duration.ofSeconds(60), command);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, STORE_PASSWORD);
            }
            return new SigningKey((PrivateKey) store.getKey(alias, STORE_PASSWORD),
                    (X509Certificate) store.getCertificate(alias));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the keytool-generated key", e);
        } finally {
            if (dir != null) {
                Commands.deleteQuietly(dir.resolve("key.p12"));
                Commands.deleteQuietly(dir);
            }
        }
    }
}
