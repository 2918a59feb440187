package io.streamrec.testkit;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A deterministic synthetic interaction stream with the structure of real recommender data, in
 * StreamRec's JSON input contract (see {@link Interaction}).
 *
 * <p>The model behind the stream:
 *
 * <ul>
 *   <li>Every user and item has a latent taste vector of {@code factors} standard gaussian entries;
 *       the true affinity of a pair is {@code z = u·v / sqrt(factors)}, about N(0,1) over random
 *       pairs ({@link #affinity}).
 *   <li>Item popularity follows Zipf({@code zipfExponent}) over a seeded random ranking of the items;
 *       user activity is log-normal (σ = 1), so a few users produce much of the traffic.
 *   <li>An event picks a user by activity, draws {@value #CANDIDATES} candidate items by popularity
 *       and chooses among them by softmax of affinity: users mostly meet items close to their taste,
 *       popular items included.
 *   <li>The event type depends on the affinity: views dominate; clicks, carts, purchases and likes
 *       grow with affinity, dislikes with its opposite; about 3% of events are ratings whose value
 *       (1..5) rises with affinity.
 *   <li>Tastes drift slowly: before each of a user's events, its vector takes an Ornstein-Uhlenbeck
 *       step over the elapsed event time at rate {@code tasteDriftPerDay}, which keeps each entry
 *       N(0,1) while the user's preferences wander.
 *   <li>Event time starts at {@code startTimestampMillis} and advances by exponential gaps averaging
 *       {@code 1/eventsPerSecond} seconds; timestamps never decrease.
 * </ul>
 *
 * <p>For robustness tests, {@code malformedFraction} of {@link #next()}'s records are broken in one of
 * the configured {@link MalformedKind}s (ids {@code bad-N}), and {@code duplicateFraction} are exact
 * repeats of a recently emitted valid record (same id). Valid events have ids {@code e-N}, users
 * {@code u1..uU}, items {@code i1..iI}.
 *
 * <p>The same configuration (seed included) always yields the same sequence. Not thread-safe.
 *
 * <p>Long because it holds the whole synthetic world (tastes, drift, popularity, event types,
 * malformed and duplicate records) and its configuration; the parts share one random stream, which
 * keeps a seed reproducible.
 */
public final class InteractionGenerator {

    /** Ways {@link #next()} can break a record when {@code malformedFraction > 0}. */
    public enum MalformedKind {
        /** The first half of a valid record: not parseable as JSON. */
        NOT_JSON,
        /** Valid JSON without the {@code user} field. */
        MISSING_USER,
        /** Valid JSON with {@code "type":"teleport"}. */
        UNKNOWN_TYPE,
        /** A rating with the bare token {@code NaN} as value (rejected by strict JSON parsers). */
        NAN_VALUE,
        /** A rating with value 9.0, outside 1..5. */
        RATING_OUT_OF_RANGE,
        /** A rating without a value. */
        RATING_WITHOUT_VALUE,
        /** A user id of {@value InteractionGenerator#OVERSIZED_ID_LENGTH} characters. */
        OVERSIZED_USER_ID
    }

    static final int CANDIDATES = 16;
    static final int OVERSIZED_ID_LENGTH = 5000;
    private static final double CHOICE_SHARPNESS = 2.0;
    private static final double MILLIS_PER_DAY = 86_400_000.0;
    private static final int RECENT = 64;

    private final Config config;
    private final SplittableRandom random;
    private final double[][] userTaste;
    private final double[][] itemTaste;
    private final double[] itemPopularityCdf;
    private final double[] userActivityCdf;
    private final long[] userLastTs;
    private final List<MalformedKind> malformedKinds;
    private final String[] recentValid = new String[RECENT];
    private final Map<MalformedKind, Long> malformedCounts = new EnumMap<>(MalformedKind.class);
    private final double[] candidateWeights = new double[CANDIDATES];
    private final int[] candidates = new int[CANDIDATES];
    private int recentSize;
    private double elapsedMillis;
    private long eventSeq;
    private long badSeq;
    private long validCount;
    private long duplicateCount;

    public InteractionGenerator(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.random = new SplittableRandom(config.seed());
        this.userTaste = gaussianMatrix(config.users(), config.factors());
        this.itemTaste = gaussianMatrix(config.items(), config.factors());
        this.itemPopularityCdf = zipfCdfOverShuffledRanks(config.items(), config.zipfExponent());
        this.userActivityCdf = logNormalCdf(config.users());
        this.userLastTs = new long[config.users()];
        Arrays.fill(userLastTs, config.startTimestampMillis());
        this.malformedKinds = List.copyOf(config.malformedKinds());
    }

    /**
     * The next record as a JSON line: usually a new valid event, sometimes (as configured) a
     * malformed record or a duplicate of a recent valid one.
     */
    public String next() {
        double r = random.nextDouble();
        if (r < config.malformedFraction()) {
            return malformed();
        }
        if (r < config.malformedFraction() + config.duplicateFraction() && recentSize > 0) {
            duplicateCount++;
            return recentValid[random.nextInt(Math.min(recentSize, RECENT))];
        }
        String json = nextInteraction().toJson();
        recentValid[recentSize++ % RECENT] = json;
        return json;
    }

    /** The next valid event, never malformed or duplicated. */
    public Interaction nextInteraction() {
        Interaction event = generate("e-" + (++eventSeq));
        validCount++;
        return event;
    }

    /** The next {@code count} records of {@link #next()}, lazily. */
    public Stream<String> records(long count) {
        return Stream.generate(this::next).limit(count);
    }

    /**
     * The current true affinity {@code z} of a user and an item (about N(0,1) over random pairs); the
     * ground truth a recommender should recover.
     */
    public double affinity(String user, String item) {
        return affinity(index(user, 'u', config.users()), index(item, 'i', config.items()));
    }

    /** Valid events generated so far (by {@link #next()} or {@link #nextInteraction()}). */
    public long validCount() {
        return validCount;
    }

    /** Records {@link #next()} repeated so far. */
    public long duplicateCount() {
        return duplicateCount;
    }

    /** Malformed records emitted so far, by kind. */
    public Map<MalformedKind, Long> malformedCounts() {
        return Collections.unmodifiableMap(new EnumMap<>(malformedCounts));
    }

    /** Malformed records emitted so far. */
    public long malformedCount() {
        return malformedCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    public Config config() {
        return config;
    }

    private Interaction generate(String id) {
        elapsedMillis += random.nextExponential() * 1000.0 / config.eventsPerSecond();
        long ts = config.startTimestampMillis() + (long) elapsedMillis;
        int user = sample(userActivityCdf);
        drift(user, ts);
        int item = chooseItem(user);
        double z = affinity(user, item);
        String type = chooseType(z);
        Double value = null;
        if (type.equals("rating")) {
            value = (double) Math.max(1, Math.min(5, Math.round(3.0 + 1.2 * z + 0.7 * random.nextGaussian())));
        }
        return new Interaction(id, "u" + (user + 1), "i" + (item + 1), type, value, ts);
    }

    private void drift(int user, long ts) {
        double days = (ts - userLastTs[user]) / MILLIS_PER_DAY;
        userLastTs[user] = ts;
        if (days <= 0 || config.tasteDriftPerDay() == 0) {
            return;
        }
        // Ornstein-Uhlenbeck step: mean-reverting to 0 with stationary variance 1.
        double keep = Math.exp(-config.tasteDriftPerDay() * days);
        double noise = Math.sqrt(1 - keep * keep);
        double[] taste = userTaste[user];
        for (int f = 0; f < taste.length; f++) {
            taste[f] = keep * taste[f] + noise * random.nextGaussian();
        }
    }

    private int chooseItem(int user) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CANDIDATES; c++) {
            candidates[c] = sample(itemPopularityCdf);
            candidateWeights[c] = CHOICE_SHARPNESS * affinity(user, candidates[c]);
            max = Math.max(max, candidateWeights[c]);
        }
        double total = 0;
        for (int c = 0; c < CANDIDATES; c++) {
            candidateWeights[c] = Math.exp(candidateWeights[c] - max);
            total += candidateWeights[c];
        }
        double r = random.nextDouble() * total;
        for (int c = 0; c < CANDIDATES; c++) {
            r -= candidateWeights[c];
            if (r <= 0) {
                return candidates[c];
            }
        }
        return candidates[CANDIDATES - 1];
    }

    private String chooseType(double z) {
        double[] w = {
            60.0,                       // view
            18.0 * Math.exp(0.5 * z),   // click
            5.0 * Math.exp(0.8 * z),    // cart
            2.0 * Math.exp(1.0 * z),    // purchase
            6.0 * Math.exp(0.8 * z),    // like
            3.0 * Math.exp(-1.2 * z),   // dislike
            3.5                         // rating
        };
        double total = 0;
        for (double x : w) {
            total += x;
        }
        double r = random.nextDouble() * total;
        for (int t = 0; t < w.length; t++) {
            r -= w[t];
            if (r <= 0) {
                return Interaction.TYPES.get(t);
            }
        }
        return Interaction.TYPES.get(0);
    }

    private String malformed() {
        MalformedKind kind = malformedKinds.get(random.nextInt(malformedKinds.size()));
        malformedCounts.merge(kind, 1L, Long::sum);
        Interaction base = generate("bad-" + (++badSeq));
        return switch (kind) {
            case NOT_JSON -> {
                String json = base.toJson();
                yield json.substring(0, json.length() / 2);
            }
            case MISSING_USER -> base.toJson().replace(",\"user\":\"" + base.user() + "\"", "");
            case UNKNOWN_TYPE -> withType(base, "teleport", base.value()).toJson();
            case NAN_VALUE -> withType(base, "rating", 3.0).toJson().replace("\"value\":3.0", "\"value\":NaN");
            case RATING_OUT_OF_RANGE -> withType(base, "rating", 9.0).toJson();
            case RATING_WITHOUT_VALUE -> withType(base, "rating", null).toJson();
            case OVERSIZED_USER_ID -> new Interaction(base.id(), "u" + "9".repeat(OVERSIZED_ID_LENGTH - 1),
                    base.item(), base.type(), base.value(), base.ts()).toJson();
        };
    }

    private static Interaction withType(Interaction base, String type, Double value) {
        return new Interaction(base.id(), base.user(), base.item(), type, value, base.ts());
    }

    private double affinity(int user, int item) {
        double[] u = userTaste[user];
        double[] v = itemTaste[item];
        double dot = 0;
        for (int f = 0; f < u.length; f++) {
            dot += u[f] * v[f];
        }
        return dot / Math.sqrt(u.length);
    }

    private int sample(double[] cdf) {
        int i = Arrays.binarySearch(cdf, random.nextDouble() * cdf[cdf.length - 1]);
        return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
    }

    private double[][] gaussianMatrix(int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int c = 0; c < cols; c++) {
                row[c] = random.nextGaussian();
            }
        }
        return m;
    }

    private double[] zipfCdfOverShuffledRanks(int n, double exponent) {
        int[] rankOf = new int[n];
        for (int i = 0; i < n; i++) {
            rankOf[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = rankOf[i];
            rankOf[i] = rankOf[j];
            rankOf[j] = t;
        }
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.pow(rankOf[i], -exponent);
            cdf[i] = sum;
        }
        return cdf;
    }

    private double[] logNormalCdf(int n) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(random.nextGaussian());
            cdf[i] = sum;
        }
        return cdf;
    }

    private static int index(String id, char prefix, int size) {
        if (id == null || id.length() < 2 || id.charAt(0) != prefix) {
            throw new IllegalArgumentException("Expected an id like " + prefix + "1, got " + id);
        }
        int n = Integer.parseInt(id.substring(1));
        if (n < 1 || n > size) {
            throw new IllegalArgumentException(id + " is outside " + prefix + "1.." + prefix + size);
        }
        return n - 1;
    }

    /**
     * Settings of an {@link InteractionGenerator}; build with {@link #builder()}. Validated on
     * construction with a message naming the offending setting.
     */
    public record Config(
            int users,
            int items,
            long seed,
            long startTimestampMillis,
            double eventsPerSecond,
            int factors,
            double zipfExponent,
            double tasteDriftPerDay,
            double malformedFraction,
            Set<MalformedKind> malformedKinds,
            double duplicateFraction) {

        public Config {
            require(users >= 1, "users must be >= 1, was " + users);
            require(items >= CANDIDATES, "items must be >= " + CANDIDATES + ", was " + items);
            require(eventsPerSecond > 0 && Double.isFinite(eventsPerSecond),
                    "eventsPerSecond must be positive, was " + eventsPerSecond);
            require(factors >= 1, "factors must be >= 1, was " + factors);
            require(zipfExponent >= 0 && Double.isFinite(zipfExponent), "zipfExponent must be >= 0, was " + zipfExponent);
            require(tasteDriftPerDay >= 0 && Double.isFinite(tasteDriftPerDay),
                    "tasteDriftPerDay must be >= 0, was " + tasteDriftPerDay);
            require(malformedFraction >= 0 && malformedFraction <= 1,
                    "malformedFraction must be in [0, 1], was " + malformedFraction);
            require(duplicateFraction >= 0 && duplicateFraction <= 1,
                    "duplicateFraction must be in [0, 1], was " + duplicateFraction);
            require(malformedFraction + duplicateFraction <= 1,
                    "malformedFraction + duplicateFraction must be <= 1");
            Objects.requireNonNull(malformedKinds, "malformedKinds");
            require(malformedFraction == 0 || !malformedKinds.isEmpty(),
                    "malformedKinds must not be empty when malformedFraction > 0");
            malformedKinds = malformedKinds.isEmpty()
                    ? Collections.unmodifiableSet(EnumSet.noneOf(MalformedKind.class))
                    : Collections.unmodifiableSet(EnumSet.copyOf(malformedKinds));
        }

        public static Builder builder() {
            return new Builder();
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }

        /** Defaults: 1000 users, 500 items, seed 42, start 2023-11-14T22:13:20Z, 100 events/s, k=8,
         * Zipf 1.0, drift 0.05/day, no malformed records, no duplicates. */
        public static final class Builder {
            private int users = 1000;
            private int items = 500;
            private long seed = 42;
            private long startTimestampMillis = 1_700_000_000_000L;
            private double eventsPerSecond = 100;
            private int factors = 8;
            private double zipfExponent = 1.0;
            private double tasteDriftPerDay = 0.05;
            private double malformedFraction;
            private Set<MalformedKind> malformedKinds = EnumSet.allOf(MalformedKind.class);
            private double duplicateFraction;

            private Builder() {}

            public Builder users(int users) { this.users = users; return this; }
            public Builder items(int items) { this.items = items; return this; }
            public Builder seed(long seed) { this.seed = seed; return this; }
            public Builder startTimestampMillis(long ts) { this.startTimestampMillis = ts; return this; }
            /** Mean rate in events per second of event time (not wall-clock time). */
            public Builder eventsPerSecond(double rate) { this.eventsPerSecond = rate; return this; }
            public Builder factors(int factors) { this.factors = factors; return this; }
            public Builder zipfExponent(double s) { this.zipfExponent = s; return this; }
            /** Mean-reversion rate of user tastes per day of event time; 0 freezes tastes. */
            public Builder tasteDriftPerDay(double rate) { this.tasteDriftPerDay = rate; return this; }
            public Builder malformedFraction(double fraction) { this.malformedFraction = fraction; return this; }
            public Builder malformedKinds(Set<MalformedKind> kinds) {
                this.malformedKinds = Objects.requireNonNull(kinds, "malformedKinds");
                return this;
            }
            public Builder duplicateFraction(double fraction) { this.duplicateFraction = fraction; return this; }

            public Config build() {
                return new Config(users, items, seed, startTimestampMillis, eventsPerSecond, factors,
                        zipfExponent, tasteDriftPerDay, malformedFraction, malformedKinds, duplicateFraction);
            }
        }
    }
}
