package io.streamrec.sinks.redis.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * TLS connections that trust the certificate authorities in one PEM file (a private CA, as a
 * Kubernetes Secret or a managed Redis provides it) instead of the JVM's default trust store.
 */
public final class TlsTrust {

    private TlsTrust() {}

    /** A socket factory trusting exactly the certificates in {@code pemFile}. */
    public static SSLSocketFactory socketFactory(String pemFile) {
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the CA file " + pemFile);
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trusted.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA file " + pemFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the CA file " + pemFile + " holds no usable certificate: " + e.getMessage(), e);
        }
    }
}
