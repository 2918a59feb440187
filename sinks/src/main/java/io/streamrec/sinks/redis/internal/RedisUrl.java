package io.streamrec.sinks.redis.internal;

import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import org.apache.flink.annotation.Internal;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * A parsed Redis connection URL: {@code redis://[user:password@]host[:port][/db]}, or {@code
 * rediss://...} for TLS. The port defaults to 6379 and the database to 0. User and password may be
 * percent-encoded; {@code redis://:password@host} authenticates with a password only.
 *
 * <p>Parsing fails with an {@link IllegalArgumentException} that names the offending part; the
 * password never appears in messages or {@link #toString()}.
 */
@Internal
public final class RedisUrl implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_PORT = 6379;

    private final boolean tls;
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final int database;
    /** PEM file of the certificate authorities to trust over TLS; null: the JVM's trust store. */
    private String caFile;

    private RedisUrl(
            boolean tls, String user, String password, String host, int port, int database) {
        this.tls = tls;
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.database = database;
    }

    public static RedisUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("Redis URL is empty; expected redis://host:port");
        }
        String text = url.trim();
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw invalid(text, "has no scheme; expected redis:// or rediss://");
        }
        String scheme = text.substring(0, schemeEnd).toLowerCase();
        boolean tls;
        if (scheme.equals("redis")) {
            tls = false;
        } else if (scheme.equals("rediss")) {
            tls = true;
        } else {
            throw invalid(text, "has scheme '" + scheme + "'; expected redis:// or rediss://");
        }
        String rest = text.substring(schemeEnd + 3);
        if (rest.contains("?") || rest.contains("#")) {
            throw invalid(text, "has a query or fragment, which is not supported");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);

        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw invalid(text, "has user info without ':'; expected user:password@ or :password@");
            }
            user = decode(text, userInfo.substring(0, colon), "user");
            password = decode(text, userInfo.substring(colon + 1), "password");
            if (user.isEmpty()) {
                user = null;
            }
            if (password.isEmpty()) {
                throw invalid(text, "has an empty password");
            }
        }

        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw invalid(text, "has an IPv6 host without closing ']'");
            }
            host = authority.substring(1, close);
            String afterHost = authority.substring(close + 1);
            if (!afterHost.isEmpty()) {
                if (!afterHost.startsWith(":")) {
                    throw invalid(text, "has '" + afterHost + "' after the IPv6 host");
                }
                portText = afterHost.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw invalid(text, "has no host");
        }
        int port = DEFAULT_PORT;
        if (portText != null) {
            port = parseInt(portText, 1, 65535, text, "port", "a number between 1 and 65535");
        }
        int database = 0;
        if (!path.isEmpty()) {
            database =
                    parseInt(path, 0, Integer.MAX_VALUE, text, "database", "a non-negative integer");
        }
        return new RedisUrl(tls, user, password, host, port, database);
    }

    public boolean tls() {
        return tls;
    }

    /**
     * Trust the certificate authorities in this PEM file (rather than the JVM's trust store) when
     * the URL is {@code rediss://}; null or empty: the JVM's. The server's name is checked against
     * its certificate either way.
     */
    public RedisUrl withCaFile(String pemFile) {
        this.caFile = pemFile == null || pemFile.isBlank() ? null : pemFile;
        return this;
    }

    /** The ACL user, or null for the default user. */
    public String user() {
        return user;
    }

    /** The password, or null for none. */
    public String password() {
        return password;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int database() {
        return database;
    }

    public HostAndPort hostAndPort() {
        return new HostAndPort(host, port);
    }

    /** Client settings for this URL with one timeout for connecting and for each reply. */
    public JedisClientConfig clientConfig(Duration timeout, String clientName) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .user(user)
                .password(password)
                .database(database)
                .ssl(tls)
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .clientName(clientName);
        if (tls) {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            config.sslParameters(parameters);
            if (caFile != null) {
                config.sslSocketFactory(TlsTrust.socketFactory(caFile));
            }
        }
        return config.build();
    }

    /** The URL with the password masked, safe to log. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tls ? "rediss://" : "redis://");
        if (password != null) {
            s.append(user == null ? "" : user).append(":***@");
        }
        s.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
        if (database != 0) {
            s.append('/').append(database);
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RedisUrl)) {
            return false;
        }
        RedisUrl that = (RedisUrl) o;
        return tls == that.tls
                && port == that.port
                && database == that.database
                && Objects.equals(user, that.user)
                && Objects.equals(password, that.password)
                && host.equals(that.host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tls, user, password, host, port, database);
    }

    private static int parseInt(
            String value, int min, int max, String url, String part, String expected) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(url, "has " + part + " '" + value + "'; expected " + expected);
    }

    private static String decode(String url, String value, String part) {
        try {
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "has a badly percent-encoded " + part);
        }
    }

    private static IllegalArgumentException invalid(String url, String problem) {
        return new IllegalArgumentException("Redis URL '" + redact(url) + "' " + problem);
    }

    /** Hides the password of a URL that may not parse. */
    private static String redact(String url) {
        int schemeEnd = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (schemeEnd < 0 || at < schemeEnd) {
            return url;
        }
        String userInfo = url.substring(schemeEnd + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        return url.substring(0, schemeEnd + 3) + user + ":***" + url.substring(at);
    }
}
