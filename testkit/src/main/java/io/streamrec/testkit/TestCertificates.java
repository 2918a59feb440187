package io.streamrec.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made by {@code openssl} for TLS
 * tests: the key and certificate as PEM (for redis-server), a PKCS12 key store with both (for a
 * Kafka listener) and a PKCS12 trust store with the certificate (for Java clients).
 */
public final class TestCertificates {

    /** Password of the PKCS12 stores. */
    public static final String STORE_PASSWORD = "test-store-pw";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Null when {@code openssl} is not installed (the caller skips, naming the reason). */
    public static String unavailableReason() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "openssl"))) {
                return null;
            }
        }
        return "openssl is not installed (Debian package openssl): it makes the test certificates";
    }

    /** Makes the files in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir);
        c.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", c.keyPem().toString(), "-out", c.certificatePem().toString());
        c.run("openssl", "pkcs12", "-export", "-in", c.certificatePem().toString(), "-inkey", c.keyPem().toString(),
                "-name", "server", "-out", c.keyStore().toString(), "-passout", "pass:" + STORE_PASSWORD);
        c.run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                "-alias", "ca", "-file", c.certificatePem().toString(), "-keystore", c.trustStore().toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        return c;
    }

    public Path keyPem() {
        return dir.resolve("server-key.pem");
    }

    public Path certificatePem() {
        return dir.resolve("server-cert.pem");
    }

    public Path keyStore() {
        return dir.resolve("server.p12");
    }

    public Path trustStore() {
        return dir.resolve("trust.p12");
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "cmd", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command[0] + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command[0], command[1]) + " failed (exit " + p.exitValue() + "): "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
