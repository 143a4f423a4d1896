package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.testing.StrataServersResource;

/** {@code /internal/users/*}: who may ask, and what settings-service's AuthDirectory reads. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InternalUsersTest {

    static final String SETTINGS = WalletTest.SETTINGS;
    static final String KYC = "test-kyc-internal-token";

    @Test
    void settingsReadsTheAddressAndWhetherItIsVerified() throws Exception {
        Api.Signed s = Api.newUser();
        String id = s.account().id();
        given().auth().oauth2(SETTINGS).get("/internal/users/" + id).then().statusCode(200)
                .contentType(containsString("application/json"))
                .body("id", equalTo(id)).body("email", equalTo(s.account().email()))
                .body("emailVerified", equalTo(false));

        as(s).contentType(ContentType.JSON).body(Map.of("channel", "email")).post("/api/verifications").then()
                .statusCode(202);
        as(s).contentType(ContentType.JSON)
                .body(Map.of("channel", "email", "code", Api.mailedCode(s.account().email())))
                .post("/api/verifications/checks").then().statusCode(204);
        given().auth().oauth2(SETTINGS).get("/internal/users/" + id).then().statusCode(200)
                .body("email", equalTo(s.account().email())).body("emailVerified", equalTo(true));
    }

    @Test
    void unknownIsNotFoundAndANonUuidIsABadRequest() {
        given().auth().oauth2(SETTINGS).get("/internal/users/" + UUID.randomUUID()).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        given().auth().oauth2(SETTINGS).get("/internal/users/not-a-uuid").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("id"));
        given().auth().oauth2(SETTINGS).get("/internal/users/by-wallet/0x" + "cd".repeat(20)).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        for (String bad : new String[] {"0x1234", "cd".repeat(21), "0x" + "zz".repeat(20), "0x" + "cd".repeat(21)}) {
            given().auth().oauth2(SETTINGS).get("/internal/users/by-wallet/" + bad).then().statusCode(400)
                    .contentType(containsString("application/problem+json"))
                    .body("errors.field", hasItem("address"));
        }
    }

    @Test
    void onlySettingsAndSharedMayAsk() {
        Api.Signed s = Api.newUser();
        String user = "/internal/users/" + s.account().id();
        String wallet = "/internal/users/by-wallet/0x" + "ef".repeat(20);
        for (String path : new String[] {user, wallet}) {
            given().get(path).then().statusCode(401).contentType(containsString("application/problem+json"))
                    .header("WWW-Authenticate", containsString("Bearer"));
            given().auth().oauth2("not-a-service-credential").get(path).then().statusCode(401);
            // a user's session is not a service credential
            as(s).get(path).then().statusCode(401);
            given().auth().oauth2(KYC).get(path).then().statusCode(403)
                    .contentType(containsString("application/problem+json"));
        }
        given().auth().oauth2(SETTINGS).get(user).then().statusCode(200);
    }
}
