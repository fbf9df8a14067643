package dev.kiln.internal.registry;

import dev.kiln.error.InvalidInputException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS settings per registry: the system trust store by default, plus a registry's own CA file when
 * configured; verification is skipped only for registries explicitly marked insecure.
 */
final class TlsContexts {
    private final RegistryOptions options;
    private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

    TlsContexts(RegistryOptions options) {
        this.options = options;
    }

    SSLContext forRegistry(String authority) {
        return contexts.computeIfAbsent(authority, this::create);
    }

    private SSLContext create(String authority) {
        try {
            if (options.isInsecure(authority)) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[]{new TrustingEverything()}, null);
                return context;
            }
            Path caFile = options.caFile(authority).orElse(null);
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{withExtraCas(caFile)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS provider is unavailable", e);
        }
    }

    /** The system's trust anchors plus every certificate in {@code caFile}. */
    private static X509TrustManager withExtraCas(Path caFile) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        int n = 0;
        for (TrustManager manager : system.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + n++, issuer);
                }
            }
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidInputException("cannot read CA file " + caFile + ": " + RegistryErrors.rootMessage(e));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("no X.509 trust manager available");
    }

    /** For registries the user marked insecure: no certificate or host name checks. */
    private static final class TrustingEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
