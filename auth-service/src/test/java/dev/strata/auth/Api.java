package dev.strata.auth;

import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.MimeMessage;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.strata.testing.StrataServers;

/** Test helpers that drive the public API the way a client would, plus direct reads of the stores. */
final class Api {

    static final String PASSWORD = "correct horse battery staple";
    private static final Pattern CODE = Pattern.compile("\\b([0-9]{6})\\b");

    private Api() {
    }

    record Account(String id, String email, String password) {
    }

    record Signed(Account account, String token, String sessionId) {
    }

    static String randomEmail() {
        return "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "@strata.test";
    }

    /** Each test uses its own client address (through the trusted proxy) so rate limits do not collide. */
    static String randomIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(1, 255) + "." + r.nextInt(0, 255) + "." + r.nextInt(1, 255);
    }

    static RequestSpecification from(String ip) {
        return given().header("X-Forwarded-For", ip);
    }

    static Account signUp(String email) {
        String id = from(randomIp()).contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", PASSWORD, "name", "Test User"))
                .post("/api/users").then().statusCode(201).extract().path("id");
        return new Account(id, email, PASSWORD);
    }

    static Account signUp() {
        return signUp(randomEmail());
    }

    static Response signInResponse(String email, String password) {
        return from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", email, "password", password))
                .post("/api/sessions");
    }

    static Signed signIn(Account a) {
        Response r = signInResponse(a.email(), a.password());
        r.then().statusCode(201);
        return new Signed(a, r.path("token"), r.path("sessionId"));
    }

    static Signed newUser() {
        return signIn(signUp());
    }

    static RequestSpecification as(Signed s) {
        return given().auth().oauth2(s.token());
    }

    /** Waits for the newest code mailed to {@code email} and returns it. */
    static String mailedCode(String email) throws Exception {
        return mailed(email, CODE);
    }

    /** Waits for a mail to {@code email} whose newest message matches and returns the first group. */
    static String mailed(String email, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            MimeMessage[] msgs = AuthTestServers.mail.getReceivedMessagesForDomain(email);
            if (msgs.length > 0) {
                MimeMessage last = msgs[msgs.length - 1];
                Matcher m = pattern.matcher(last.getContent().toString());
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail for " + email + " matching " + pattern);
    }

    /** The subjects of every message mailed to {@code email}, oldest first. */
    static List<String> mailSubjects(String email) throws Exception {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : AuthTestServers.mail.getReceivedMessagesForDomain(email)) {
            out.add(m.getSubject());
        }
        return out;
    }

    static int mailCount(String email) {
        return AuthTestServers.mail.getReceivedMessagesForDomain(email).length;
    }

    static final String ROOT = "root@strata.test";

    /** The bootstrap admin: whoever proves control of the configured address (once per JVM, then signs in). */
    static synchronized Signed admin() throws Exception {
        if (count("select count(*) from auth.users where email = ? and email_verified", ROOT) > 0) {
            String id = column("select id from auth.users where email = ?", ROOT).get(0);
            return signIn(new Account(id, ROOT, PASSWORD));
        }
        Signed s = signIn(signUp(ROOT));
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email", "code", mailedCode(ROOT)))
                .post("/api/verifications/checks").then().statusCode(204);
        return s;
    }

    // --- direct store access -------------------------------------------------------------------------------

    static Connection db() throws SQLException {
        Map<String, String> c = StrataServers.shared().quarkusConfig();
        return DriverManager.getConnection(c.get("quarkus.datasource.jdbc.url"), c.get("quarkus.datasource.username"),
                c.get("quarkus.datasource.password"));
    }

    static long count(String sql, Object... args) throws SQLException {
        try (Connection c = db(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Account events of this type written to the outbox for the user. */
    static long events(String type, String userId) throws SQLException {
        return count("select count(*) from auth.outbox where type = ? and payload->'data'->>'userId' = ?", type,
                userId);
    }

    static List<String> column(String sql, Object... args) throws SQLException {
        try (Connection c = db(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    static int exec(String sql, Object... args) throws SQLException {
        try (Connection c = db(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /**
     * Nothing of the user's opens anything any more: no live row, no Redis record, every token refused; a result
     * that is not a token must be the 403 of a banned account.
     */
    static void assertNoLiveSession(String userId, List<String> results, String what) throws Exception {
        org.junit.jupiter.api.Assertions.assertEquals(0, count("select count(*) from auth.sessions where user_id ="
                + " ?::uuid and revoked_at is null and expires_at > now()", userId), what + ": " + results);
        var redis = io.quarkus.arc.Arc.container().instance(io.quarkus.redis.datasource.RedisDataSource.class).get();
        for (String hash : column("select token_hash from auth.sessions where user_id = ?::uuid", userId)) {
            org.junit.jupiter.api.Assertions.assertFalse(redis.key().exists("session:" + hash),
                    what + ": a banned user's session is in Redis");
        }
        for (String r : results) {
            if (r.length() > 3) {
                io.restassured.RestAssured.given().auth().oauth2(r).get("/api/users/me").then().statusCode(401);
            } else {
                org.junit.jupiter.api.Assertions.assertEquals("403", r, what + ": a sign-in after the ban");
            }
        }
    }
}
