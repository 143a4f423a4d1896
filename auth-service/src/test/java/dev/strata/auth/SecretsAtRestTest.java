package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.keys.RedisValueType;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.StrataServersResource;

/** The raw session token and raw codes are handed out, never kept: neither Redis nor Postgres holds them. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SecretsAtRestTest {

    @Inject
    RedisDataSource redis;

    @Test
    void rawTokensAndCodesAreNowhereInRedisOrPostgres() throws Exception {
        Api.Signed s = Api.newUser();
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        String emailCode = Api.mailedCode(s.account().email());
        String phone = "+4917" + (100000000 + (int) (Math.random() * 899999999));
        AuthTestServers.SMS_INBOX.clear();
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "phone", "phone", phone))
                .post("/api/verifications").then().statusCode(202);
        Matcher m = Pattern.compile("code is ([0-9]{6})").matcher(AuthTestServers.SMS_INBOX.poll(10, TimeUnit.SECONDS));
        assertTrue(m.find());
        String smsCode = m.group(1);

        // the session really is stored (by hash), so the search below looks at real data
        String dump = redisDump() + "\n" + postgresDump();
        assertTrue(dump.contains(SessionTokens.hash(s.token())), "the token hash is stored");
        assertFalse(dump.contains(s.token()), "raw session token found at rest");
        assertNoCode(dump, emailCode);
        assertNoCode(dump, smsCode);
    }

    private static void assertNoCode(String dump, String code) {
        // a code could only appear as its own number, not inside a longer one (a timestamp's digits)
        assertFalse(Pattern.compile("(?<![0-9])" + code + "(?![0-9])").matcher(dump).find(),
                "raw code " + code + " found at rest");
    }

    private String redisDump() {
        StringBuilder out = new StringBuilder();
        var keys = redis.key();
        for (String key : keys.scan(new KeyScanArgs().count(500)).toIterable()) {
            out.append(key).append(" = ");
            RedisValueType type = keys.type(key);
            switch (type) {
                case STRING -> out.append(redis.value(String.class).get(key));
                case SET -> out.append(redis.set(String.class).smembers(key));
                case HASH -> out.append(redis.hash(String.class).hgetall(key));
                case LIST -> out.append(redis.list(String.class).lrange(key, 0, -1));
                case ZSET -> out.append(redis.sortedSet(String.class).zrange(key, 0, -1));
                default -> out.append(type);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String postgresDump() throws Exception {
        List<String> rows = new ArrayList<>();
        for (String table : Api.column("select table_name from information_schema.tables where table_schema = 'auth'")) {
            rows.addAll(Api.column("select row_to_json(t)::text from auth.\"" + table + "\" t"));
        }
        assertTrue(rows.size() > 3);
        return String.join("\n", rows);
    }
}
