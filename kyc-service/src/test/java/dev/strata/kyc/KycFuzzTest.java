package dev.strata.kyc;

import static dev.strata.kyc.KycFlows.auth;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;

import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.testing.StorageGatewayResource;

/**
 * Generated malformed requests against every writing endpoint: each body carries at least one invalid part, so each
 * must be a 4xx problem, never a 5xx, and the database must be exactly as before.
 */
@QuarkusTest
@WithTestResource(value = StorageGatewayResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KycFuzzTest {

    static final String NUL = "\u0000";

    @Inject
    SessionStore sessions;
    @Inject
    Pool pool;
    @Inject
    ObjectMapper json;

    final Random random = new Random(20261122L);

    static final Map<String, List<Object>> BAD_FIELDS = new LinkedHashMap<>();

    static {
        BAD_FIELDS.put("applicantType", List.of("robot", 1, true, List.of(), Map.of(), "", NUL, "individual" + NUL));
        BAD_FIELDS.put("legalName", List.of(1, List.of("a"), Map.of(), "", "a" + NUL + "b", "x".repeat(201), "   ",
                "bell\u0007"));
        BAD_FIELDS.put("dateOfBirth", List.of("31-12-1990", "2020-01-01", "1899-12-31", "", 19900101, "1990-13-01",
                NUL, "1990-02-30"));
        BAD_FIELDS.put("nationality", List.of("XX", "DEU", "de" + NUL, 1, "", "D", "ÄÖ"));
        BAD_FIELDS.put("residenceCountry", List.of("ZZ", "Germany", 49, List.of("DE"), "", NUL));
        BAD_FIELDS.put("address", List.of("street", 1, List.of(), Map.of("planet", "x"), Map.of("line1", 5),
                Map.of("postalCode", "!!!"), Map.of("line1", "a" + NUL), Map.of("city", "x".repeat(101))));
        BAD_FIELDS.put("idDocumentType", List.of("visa", 1, "", NUL, "PASSPORT"));
        BAD_FIELDS.put("nationalIdNumber", List.of("<x>", "ab", "x".repeat(41), 12345, NUL + "abcd", "ab\ncd"));
        BAD_FIELDS.put("taxIdNumber", List.of("'; drop table", "a", 1.5, "x".repeat(100)));
        BAD_FIELDS.put("isAdmin", List.of(true));
        BAD_FIELDS.put("status", List.of("approved"));
        BAD_FIELDS.put("userId", List.of("00000000-0000-0000-0000-000000000000"));
    }

    static final List<String> MALFORMED = List.of("{", "[]", "null", "\"text\"", "{\"legalName\":}", "{'a':1}",
            "{\"legalName\":\"A\",\"legalName\":\"B\"}", "\u0000", "{\"address\":{\"line1\":\"x\",\"line1\":\"y\"}}",
            "{\"legalName\":\"" + "\\ud800" + "\"}", "1e999999", "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}");

    Map<String, Object> validFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("legalName", "Ada Lovelace");
        m.put("dateOfBirth", "1985-12-10");
        m.put("nationality", "GB");
        m.put("residenceCountry", "DE");
        m.put("address", Map.of("line1", "Unter den Linden 1", "city", "Berlin", "postalCode", "10117"));
        m.put("idDocumentType", "national_id");
        m.put("nationalIdNumber", "L01X00T471");
        return m;
    }

    /** A body with 1-3 bad fields among valid ones, or a malformed document. */
    String badApplicationBody(boolean creating) throws Exception {
        if (random.nextInt(5) == 0) {
            return MALFORMED.get(random.nextInt(MALFORMED.size()));
        }
        Map<String, Object> body = validFields();
        if (creating) {
            body.put("applicantType", "individual");
        }
        List<String> names = new ArrayList<>(BAD_FIELDS.keySet());
        int bad = 1 + random.nextInt(3);
        for (int i = 0; i < bad; i++) {
            String f = names.get(random.nextInt(names.size()));
            List<Object> values = BAD_FIELDS.get(f);
            body.put(f, values.get(random.nextInt(values.size())));
        }
        return json.writeValueAsString(body);
    }

    String badDocumentBody() throws Exception {
        if (random.nextInt(5) == 0) {
            return MALFORMED.get(random.nextInt(MALFORMED.size()));
        }
        Map<String, Object> body = new LinkedHashMap<>(Map.of("documentType", "selfie", "fileName", "me.png",
                "contentType", "image/png", "size", 1000));
        switch (random.nextInt(8)) {
            case 0 -> body.put("documentType", List.of("passport", "", 1, NUL, "SELFIE").get(random.nextInt(5)));
            case 1 -> body.put("fileName", List.of("", "a" + NUL, "x".repeat(256), 5).get(random.nextInt(4)));
            case 2 -> body.put("contentType", List.of("text/html", "image/svg+xml", "", "image/png; x=1")
                    .get(random.nextInt(4)));
            case 3 -> body.put("size", List.of(0, -1, 10_485_761, "big", 1.5e30, Long.MAX_VALUE).get(random.nextInt(6)));
            case 4 -> body.remove(List.of("documentType", "fileName", "contentType", "size").get(random.nextInt(4)));
            case 5 -> body.put("size", null);
            case 6 -> body.put("extra", Map.of("a", 1));
            default -> body.put("documentType", Map.of());
        }
        return json.writeValueAsString(body);
    }

    String badDecisionBody() throws Exception {
        if (random.nextInt(5) == 0) {
            return MALFORMED.get(random.nextInt(MALFORMED.size()));
        }
        Map<String, Object> body = new LinkedHashMap<>(Map.of("decision", "rejected",
                "reasonCodes", List.of("FRAUD"), "note", "ok"));
        switch (random.nextInt(6)) {
            case 0 -> body.put("decision", List.of("maybe", "", 1, NUL, "APPROVED").get(random.nextInt(5)));
            case 1 -> body.put("reasonCodes", List.of(List.of("lower"), List.of(""), "FRAUD", List.of(1),
                    java.util.Collections.nCopies(11, "A_B"), List.of()).get(random.nextInt(6)));
            case 2 -> body.put("note", List.of("a" + NUL, "x".repeat(2001), 5, "bell\u0007").get(random.nextInt(4)));
            case 3 -> body.remove("decision");
            case 4 -> body.put("decision", null);
            default -> body.put("unknown", true);
        }
        return json.writeValueAsString(body);
    }

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    String snapshot(String id) {
        return pool.preparedQuery("select row_to_json(a)::text from kyc.kyc_applications a where id = $1::uuid")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).await().atMost(Duration.ofSeconds(5)).iterator()
                .next().getString(0);
    }

    @Test
    void athousandMalformedRequestsAreAll4xxAndWriteNothing() throws Exception {
        TestSessions.Minted user = TestSessions.mint(sessions, "user");
        TestSessions.Minted fresh = TestSessions.mint(sessions, "user");
        TestSessions.Minted reviewer = TestSessions.mint(sessions, "user", "reviewer");
        String id = KycFlows.create(user.token());
        KycFlows.fill(user.token(), id);
        String before = snapshot(id);
        long applications = count("select count(*) from kyc.kyc_applications");
        long documents = count("select count(*) from kyc.kyc_documents");
        long history = count("select count(*) from kyc.kyc_status_history");
        long outbox = count("select count(*) from kyc.outbox");
        List<String> failures = new ArrayList<>();
        int sent = 0;
        String[] contentTypes = {"application/json", "application/merge-patch+json"};
        for (int i = 0; i < 1100; i++) {
            Response r;
            String body;
            String target;
            switch (i % 5) {
                case 0 -> {
                    body = badApplicationBody(true);
                    target = "POST /api/kyc/applications";
                    r = given().header("Authorization", auth(fresh.token())).contentType("application/json")
                            .body(body).post("/api/kyc/applications");
                }
                case 1 -> {
                    body = badApplicationBody(false);
                    target = "PATCH";
                    r = given().header("Authorization", auth(user.token()))
                            .contentType(contentTypes[random.nextInt(2)]).body(body)
                            .patch("/api/kyc/applications/" + id);
                }
                case 2 -> {
                    body = badDocumentBody();
                    target = "POST documents";
                    r = given().header("Authorization", auth(user.token())).contentType("application/json")
                            .body(body).post("/api/kyc/applications/" + id + "/documents");
                }
                case 3 -> {
                    body = badDecisionBody();
                    target = "POST decision";
                    r = given().header("Authorization", auth(reviewer.token())).contentType("application/json")
                            .body(body).post("/api/kyc/reviews/" + id + "/decision");
                }
                default -> {
                    String[] params = {"status", "cursor", "limit"};
                    String p = params[random.nextInt(3)];
                    Object v = List.of("x", NUL, "-1", "99999999999999999999", "%%", "submitted" + NUL, "",
                            "bm90IGEgY3Vyc29y", "MjAyNi0wMS0wMVQwMDowMDowMFp8bm90LWEtdXVpZA").get(random.nextInt(9));
                    body = p + "=" + v;
                    target = "GET reviews";
                    r = given().header("Authorization", auth(reviewer.token())).urlEncodingEnabled(true)
                            .queryParam(p, v).get("/api/kyc/reviews");
                }
            }
            sent++;
            int status = r.statusCode();
            boolean okForQueue = target.equals("GET reviews") && status == 200 && body.endsWith("=");
            if (!okForQueue && (status < 400 || status >= 500
                    || !String.valueOf(r.contentType()).startsWith("application/problem+json"))) {
                failures.add(target + " " + status + " " + body.substring(0, Math.min(body.length(), 200)));
            }
        }
        assertTrue(sent >= 1000);
        assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 20)), failures.size() + " failures");
        assertEquals(before, snapshot(id), "the application row is byte for byte unchanged");
        assertEquals(applications, count("select count(*) from kyc.kyc_applications"));
        assertEquals(documents, count("select count(*) from kyc.kyc_documents"));
        assertEquals(history, count("select count(*) from kyc.kyc_status_history"));
        assertEquals(outbox, count("select count(*) from kyc.outbox"));
    }
}
