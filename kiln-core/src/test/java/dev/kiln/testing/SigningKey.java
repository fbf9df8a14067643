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
import java.util.Base64;
import java.util.List;

/**
 * The RSA key and self-signed certificate with which {@link TokenServer} signs tokens. Made once
 * per JVM with {@code keytool} (no dependency can make a certificate) and shared by all fixtures.
 */
final class SigningKey {

    private static final String ALIAS = "kiln-token-issuer";
    private static final char[] STORE_PASSWORD = "kiln-test".toCharArray();

    private static volatile SigningKey instance;

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
                    key = generate();
                    instance = key;
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

    private static SigningKey generate() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kiln-signing-key-");
            Path keystore = dir.resolve("key.p12");
            Commands.run(Duration.ofSeconds(60), List.of(Commands.keytool(), "-genkeypair",
                    "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
                    "-dname", "CN=Kiln test token issuer",
                    // a day of slack so that clock skew can never make the certificate "not yet valid"
                    "-startdate", "-1d", "-validity", "3650",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD)));
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, STORE_PASSWORD);
            }
            return new SigningKey((PrivateKey) store.getKey(ALIAS, STORE_PASSWORD),
                    (X509Certificate) store.getCertificate(ALIAS));
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
