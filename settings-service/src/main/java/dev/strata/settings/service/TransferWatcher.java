package dev.strata.settings.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.outbox.Outbox;
import dev.strata.settings.config.SettingsConfig;

/**
 * Token transfers as the chain indexer announces them on {@code token:<address>:transfers} (plain pub/sub,
 * {@code {from, to, amount, tokenAddress, txHash}}). Every replica hears each message; the first to claim it
 * ({@code SET NX} on its id) appends one {@code transfers.observed} event to the durable stream
 * {@code strata:events:transfers}, so that the wallet-owner lookups and deliveries that follow are retried like any
 * other event, and done once.
 */
@ApplicationScoped
public class TransferWatcher {

    public static final String PATTERN = "token:*:transfers";
    public static final String FAMILY = "transfers";
    public static final String OBSERVED = "transfers.observed";
    static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    static final Pattern AMOUNT = Pattern.compile("\\d{1,78}(\\.\\d{1,36})?");
    static final Pattern TX_HASH = Pattern.compile("0x[0-9a-fA-F]{64}");

    private static final Logger LOG = Logger.getLogger(TransferWatcher.class);

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final SettingsConfig config;

    public TransferWatcher(ReactiveRedisDataSource redis, ObjectMapper json, MeterRegistry meters,
            SettingsConfig config) {
        this.redis = redis;
        this.json = json;
        this.meters = meters;
        this.config = config;
    }

    void onStart(@Observes StartupEvent e, Vertx vertx) {
        if (!config.events().consumersEnabled()) {
            return;
        }
        redis.pubsub(String.class).subscribeToPattern(PATTERN, (channel, payload) -> observe(channel, payload)
                .subscribe().with(x -> {
                }, x -> LOG.warnf("transfer on %s not recorded: %s", channel, x.toString())))
                .subscribe().with(s -> {
                }, x -> LOG.errorf("cannot subscribe to %s: no transfer notices: %s", PATTERN, x.toString()));
    }

    /** Validates one announcement and records it once; a malformed one is counted and dropped. */
    public Uni<Boolean> observe(String channel, String payload) {
        Map<String, Object> data = parse(channel, payload);
        if (data == null) {
            meters.counter("strata.transfers.observed", "outcome", "malformed").increment();
            return Uni.createFrom().item(false);
        }
        // one id per transfer, whichever replica or repetition sees it
        String natural = data.get("tokenAddress") + "|" + data.get("txHash") + "|" + data.get("from") + "|"
                + data.get("to") + "|" + data.get("amount");
        UUID id = UUID.nameUUIDFromBytes(natural.getBytes(StandardCharsets.UTF_8));
        EventEnvelope envelope = new EventEnvelope(id, OBSERVED, Instant.now(), (String) data.get("tokenAddress"),
                data);
        String text;
        try {
            text = json.writeValueAsString(envelope);
        } catch (JsonProcessingException x) {
            return Uni.createFrom().failure(x);
        }
        return redis.execute("SET", "settings:transfer-seen:" + id, "1", "NX", "EX", "86400")
                .chain(claimed -> {
                    if (claimed == null) {
                        meters.counter("strata.transfers.observed", "outcome", "duplicate").increment();
                        return Uni.createFrom().item(false);
                    }
                    return redis.execute("XADD", Outbox.stream(FAMILY), "MAXLEN", "~", "100000", "*", "id",
                            id.toString(), "type", OBSERVED, "envelope", text)
                            .invoke(() -> meters.counter("strata.transfers.observed", "outcome", "recorded")
                                    .increment())
                            // the stream did not take it: let the next announcement (or replica) try again
                            .onFailure().call(() -> redis.execute("DEL", "settings:transfer-seen:" + id))
                            .replaceWith(true);
                })
                .ifNoItem().after(config.redisTimeout()).fail();
    }

    private Map<String, Object> parse(String channel, String payload) {
        JsonNode n;
        try {
            n = payload == null || payload.length() > 4096 ? null : json.readTree(payload);
        } catch (JsonProcessingException x) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            return null;
        }
        String from = text(n, "from");
        String to = text(n, "to");
        String token = text(n, "tokenAddress");
        String tx = text(n, "txHash");
        JsonNode amount = n.get("amount");
        if (from == null || to == null || token == null || tx == null || amount == null
                || !ADDRESS.matcher(from).matches() || !ADDRESS.matcher(to).matches()
                || !ADDRESS.matcher(token).matches() || !TX_HASH.matcher(tx).matches()) {
            return null;
        }
        // the channel names the token: a message on another token's channel is not believed
        if (!channel.equalsIgnoreCase("token:" + token + ":transfers")) {
            return null;
        }
        // base units (an integer) or a decimal, never exponent notation a reader would misjudge
        String amountText = amount.isIntegralNumber() || amount.isTextual() ? amount.asText() : null;
        if (amountText == null || !AMOUNT.matcher(amountText).matches()) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("from", from.toLowerCase(java.util.Locale.ROOT));
        data.put("to", to.toLowerCase(java.util.Locale.ROOT));
        data.put("amount", amountText);
        data.put("tokenAddress", token.toLowerCase(java.util.Locale.ROOT));
        data.put("txHash", tx.toLowerCase(java.util.Locale.ROOT));
        return data;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
