package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static dev.strata.auth.Api.from;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.webauthn4j.converter.CollectedClientDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.AttestationConveyancePreference;
import com.webauthn4j.data.AuthenticatorAssertionResponse;
import com.webauthn4j.data.AuthenticatorAttestationResponse;
import com.webauthn4j.data.AuthenticatorSelectionCriteria;
import com.webauthn4j.data.PublicKeyCredential;
import com.webauthn4j.data.PublicKeyCredentialCreationOptions;
import com.webauthn4j.data.PublicKeyCredentialDescriptor;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialRequestOptions;
import com.webauthn4j.data.PublicKeyCredentialRpEntity;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.PublicKeyCredentialUserEntity;
import com.webauthn4j.data.ResidentKeyRequirement;
import com.webauthn4j.data.UserVerificationRequirement;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.ClientDataType;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.test.authenticator.webauthn.NoneAttestationAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.PackedAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnAuthenticatorAdaptor;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnModelAuthenticator;
import com.webauthn4j.test.client.ClientPlatform;
import com.webauthn4j.test.client.RegistrationEmulationOption;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.PasskeyService;
import dev.strata.auth.service.PasskeyVerifier;
import dev.strata.platform.security.SessionTokens;
import dev.strata.testing.StrataServersResource;

/**
 * Passkeys end to end with webauthn4j's emulated authenticators (webauthn4j-test): a client platform turns the
 * server's options into real attestations and assertions (real key pairs, real signatures, CBOR as an authenticator
 * encodes it) for the test origin, and the server verifies them like a browser's.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PasskeyTest {

    static final String ORIGIN = "https://app.strata.test";
    static final String INVALID = "https://strata.dev/problems/auth/invalid-passkey";
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    static final ObjectConverter CONVERTER = new ObjectConverter();

    @Inject
    RedisDataSource redis;

    /** A browser with one emulated authenticator attached, on {@code origin}. */
    record Device(ClientPlatform platform, WebAuthnModelAuthenticator authenticator) {
        static Device packed() {
            return on(ORIGIN, new PackedAuthenticator());
        }

        /** An authenticator that keeps no signature counter (always 0), as many passkey providers do. */
        static Device counterless() {
            var a = new NoneAttestationAuthenticator(new AAGUID(UUID.randomUUID()), 0, true, CONVERTER);
            a.setCountUpEnabled(false);
            return on(ORIGIN, a);
        }

        static Device on(String origin, WebAuthnModelAuthenticator a) {
            return new Device(new ClientPlatform(new Origin(origin), new WebAuthnAuthenticatorAdaptor(a)), a);
        }

        Device at(String origin) {
            return new Device(new ClientPlatform(new Origin(origin), platform.getAuthenticatorAdaptor()),
                    authenticator);
        }
    }

    /** A registered passkey: its device, the credential id (base64url) and the registration body that made it. */
    record Registered(Device device, String credentialId, Map<String, Object> body, JsonPath view) {
    }

    // --- the server's JSON → what the browser hands the authenticator ------------------------------------------

    static PublicKeyCredentialCreationOptions creationOptions(JsonPath j, AttestationConveyancePreference attestation) {
        List<PublicKeyCredentialParameters> params = j.getList("pubKeyCredParams.alg", Integer.class).stream()
                .map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY,
                        COSEAlgorithmIdentifier.create(a)))
                .toList();
        List<PublicKeyCredentialDescriptor> exclude = j.getList("excludeCredentials.id", String.class).stream()
                .map(id -> new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PUBLIC_KEY, dec(id), null))
                .toList();
        return new PublicKeyCredentialCreationOptions(
                new PublicKeyCredentialRpEntity(j.getString("rp.id"), j.getString("rp.name")),
                new PublicKeyCredentialUserEntity(dec(j.getString("user.id")), j.getString("user.name"),
                        j.getString("user.displayName")),
                new DefaultChallenge(j.getString("challenge")), params, j.getLong("timeout"), exclude,
                new AuthenticatorSelectionCriteria(null,
                        ResidentKeyRequirement.create(j.getString("authenticatorSelection.residentKey")),
                        UserVerificationRequirement.create(j.getString("authenticatorSelection.userVerification"))),
                attestation, null);
    }

    static PublicKeyCredentialRequestOptions requestOptions(JsonPath j, List<String> allowOverride) {
        List<String> allow = allowOverride != null ? allowOverride
                : j.getList("options.allowCredentials.id", String.class);
        return new PublicKeyCredentialRequestOptions(new DefaultChallenge(j.getString("options.challenge")),
                j.getLong("options.timeout"), j.getString("options.rpId"),
                allow.stream().map(id -> new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PUBLIC_KEY,
                        dec(id), null)).toList(),
                UserVerificationRequirement.create(j.getString("options.userVerification")), null);
    }

    static byte[] dec(String b64url) {
        return Base64.getUrlDecoder().decode(b64url);
    }

    static Map<String, Object> registrationBody(PublicKeyCredential<AuthenticatorAttestationResponse, ?> c,
            String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("id", B64.encodeToString(c.getRawId()));
        body.put("clientDataJSON", B64.encodeToString(c.getResponse().getClientDataJSON()));
        body.put("attestationObject", B64.encodeToString(c.getResponse().getAttestationObject()));
        body.put("transports", List.of("usb", "hybrid"));
        if (name != null) {
            body.put("name", name);
        }
        return body;
    }

    static Map<String, Object> assertionBody(String challengeId,
            PublicKeyCredential<AuthenticatorAssertionResponse, ?> c) {
        Map<String, Object> body = new HashMap<>();
        body.put("challengeId", challengeId);
        body.put("id", B64.encodeToString(c.getRawId()));
        body.put("clientDataJSON", B64.encodeToString(c.getResponse().getClientDataJSON()));
        body.put("authenticatorData", B64.encodeToString(c.getResponse().getAuthenticatorData()));
        body.put("signature", B64.encodeToString(c.getResponse().getSignature()));
        if (c.getResponse().getUserHandle() != null) {
            body.put("userHandle", B64.encodeToString(c.getResponse().getUserHandle()));
        }
        return body;
    }

    // --- API calls ------------------------------------------------------------------------------------------

    static Response options(Api.Signed s) {
        return as(s).contentType(ContentType.JSON).post("/api/users/me/passkeys/registration-options");
    }

    static JsonPath optionsOk(Api.Signed s) {
        return options(s).then().statusCode(200).extract().jsonPath();
    }

    static Response register(Api.Signed s, Map<String, Object> body) {
        return as(s).contentType(ContentType.JSON).body(body).post("/api/users/me/passkeys");
    }

    static Registered registerNew(Api.Signed s, Device d, String name) {
        var credential = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.NONE));
        Map<String, Object> body = registrationBody(credential, name);
        JsonPath view = register(s, body).then().statusCode(201).extract().jsonPath();
        return new Registered(d, B64.encodeToString(credential.getRawId()), body, view);
    }

    static Response signInOptions(String ip, String email) {
        var spec = from(ip).contentType(ContentType.JSON);
        if (email != null) {
            spec = spec.body(Map.of("email", email));
        }
        return spec.post("/api/sessions/passkey-options");
    }

    static JsonPath signInOptionsOk(String email) {
        return signInOptions(Api.randomIp(), email).then().statusCode(200).extract().jsonPath();
    }

    static Response signIn(Map<String, Object> body) {
        return from(Api.randomIp()).contentType(ContentType.JSON).body(body).post("/api/sessions/passkey");
    }

    /** Options for {@code email} (or none), answered by {@code d}: the body to post. */
    static Map<String, Object> assertion(Device d, String email) {
        JsonPath o = signInOptionsOk(email);
        return assertionBody(o.getString("challengeId"), d.platform().get(requestOptions(o, null)));
    }

    static long passkeysOf(String userId) throws Exception {
        return count("select count(*) from auth.passkeys where user_id = ?::uuid", userId);
    }

    static long sessionsOf(String userId) throws Exception {
        return count("select count(*) from auth.sessions where user_id = ?::uuid", userId);
    }

    static long signCount(String credentialId) throws Exception {
        return Long.parseLong(Api.column("select sign_count from auth.passkeys where credential_id = ?",
                (Object) dec(credentialId)).get(0));
    }

    static long events(String type, String userId) throws Exception {
        return Api.events(type, userId);
    }

    static String userHandle(String userId) {
        UUID u = UUID.fromString(userId);
        return B64.encodeToString(ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
    }

    // --- tests ----------------------------------------------------------------------------------------------

    @Test
    void registerThenSignInWithTheEmulatedAuthenticatorAndTheSessionWorks() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        JsonPath o = optionsOk(s);
        assertEquals("strata.test", o.getString("rp.id"));
        assertEquals("Strata", o.getString("rp.name"));
        assertEquals(userHandle(userId), o.getString("user.id"));
        assertEquals(s.account().email(), o.getString("user.name"));
        assertEquals("Test User", o.getString("user.displayName"));
        assertEquals(List.of(-7, -8, -257), o.getList("pubKeyCredParams.alg", Integer.class));
        assertEquals(List.of("public-key", "public-key", "public-key"), o.getList("pubKeyCredParams.type"));
        assertEquals("preferred", o.getString("authenticatorSelection.residentKey"));
        assertEquals("preferred", o.getString("authenticatorSelection.userVerification"));
        assertEquals(300_000L, o.getLong("timeout"));
        assertEquals(List.of(), o.getList("excludeCredentials"));
        assertEquals(32, dec(o.getString("challenge")).length);
        // the challenge waits in Redis under its hash, for 5 minutes
        String key = PasskeyService.REGISTRATION_PREFIX + SessionTokens.hash(o.getString("challenge"));
        long ttl = redis.key().pttl(key);
        assertTrue(ttl > 240_000 && ttl <= 300_000, "TTL " + ttl);
        assertNotEquals(o.getString("challenge"), optionsOk(s).getString("challenge"));

        Device d = Device.packed();
        var credential = d.platform().create(creationOptions(o, AttestationConveyancePreference.NONE));
        String credentialId = B64.encodeToString(credential.getRawId());
        Response created = register(s, registrationBody(credential, "  My laptop "));
        created.then().statusCode(201).header("Location", containsString("/api/users/me/passkeys/"))
                .body("name", equalTo("My laptop")).body("credentialId", equalTo(credentialId))
                .body("createdAt", notNullValue()).body("lastUsedAt", nullValue());
        String passkeyId = created.path("id");
        assertEquals(1, count("select count(*) from auth.passkeys where id = ?::uuid and user_id = ?::uuid and "
                + "credential_id = ? and transports = 'usb,hybrid' and attestation_format = 'none'", passkeyId,
                userId, dec(credentialId)));
        assertTrue(!redis.key().exists(key), "the challenge was spent");
        assertEquals(1, events("accounts.passkey_added", userId));
        // the next options exclude it, so the authenticator does not make a second one
        assertEquals(List.of(credentialId), optionsOk(s).getList("excludeCredentials.id", String.class));

        // sign-in naming the account: allowCredentials lists its passkey
        JsonPath so = signInOptionsOk(s.account().email().toUpperCase());
        assertEquals(List.of(credentialId), so.getList("options.allowCredentials.id", String.class));
        assertEquals("strata.test", so.getString("options.rpId"));
        assertEquals(43, so.getString("challengeId").length());
        long sessionsBefore = sessionsOf(userId);
        Map<String, Object> body = assertionBody(so.getString("challengeId"),
                d.platform().get(requestOptions(so, null)));
        assertEquals(userHandle(userId), body.get("userHandle"));
        Response in = signIn(body);
        in.then().statusCode(201).header("Cache-Control", "no-store").body("tokenType", equalTo("Bearer"))
                .body("userId", equalTo(userId)).body("sessionId", notNullValue()).body("expiresAt", notNullValue());
        String token = in.path("token");
        List<String> cookies = in.headers().getValues("Set-Cookie");
        assertTrue(cookies.stream().anyMatch(c -> c.startsWith("__Host-strata_session=" + token + ";")
                && c.contains("HttpOnly") && c.contains("Secure")), cookies.toString());
        assertTrue(cookies.stream().anyMatch(c -> c.startsWith("__Host-strata_device=")), cookies.toString());
        given().auth().oauth2(token).get("/api/sessions/current").then().statusCode(200)
                .body("userId", equalTo(userId)).body("id", equalTo(in.path("sessionId")))
                .body("email", equalTo(s.account().email()));
        assertEquals(sessionsBefore + 1, sessionsOf(userId));
        long counter = signCount(credentialId);
        assertTrue(counter > 0, "the packed emulator counts: " + counter);
        assertEquals(1, count("select count(*) from auth.passkeys where id = ?::uuid and last_used_at is not null",
                passkeyId));

        // the session of a passkey sign-in counts as a fresh sign-in (may add another passkey at once)
        options(new Api.Signed(s.account(), token, in.path("sessionId"))).then().statusCode(200);

        // the same assertion again: its challenge is spent
        signIn(body).then().statusCode(400).contentType(containsString("application/problem+json"))
                .body("type", equalTo(INVALID));
        assertEquals(sessionsBefore + 1, sessionsOf(userId));

        // discoverable flow: no e-mail, empty allowCredentials; the browser picks the passkey
        JsonPath anon = signInOptionsOk(null);
        assertEquals(List.of(), anon.getList("options.allowCredentials"));
        Map<String, Object> discoverable = assertionBody(anon.getString("challengeId"),
                d.platform().get(requestOptions(anon, List.of(credentialId))));
        signIn(discoverable).then().statusCode(201).body("userId", equalTo(userId));
        assertTrue(signCount(credentialId) > counter);
    }

    @Test
    void aPackedAttestationIsVerifiedAndABadAttestationSignatureStoresNothing() throws Exception {
        Api.Signed s = Api.newUser();
        Device d = Device.packed();
        // attestation asked for by the (emulated) browser: a packed statement signed by the authenticator's
        // attestation key over the authenticator data and the client data hash
        RegistrationEmulationOption forged = new RegistrationEmulationOption();
        forged.setSignatureOverrideEnabled(true);
        forged.setSignature(new byte[70]);
        var bad = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.DIRECT), forged);
        register(s, registrationBody(bad, null)).then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("type", equalTo(INVALID))
                .body("detail", containsString("signature"));
        assertEquals(0, passkeysOf(s.account().id()));
        assertEquals(0, events("accounts.passkey_added", s.account().id()));

        var good = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.DIRECT));
        register(s, registrationBody(good, null)).then().statusCode(201).body("name", equalTo("Passkey"));
        assertEquals(1, count("select count(*) from auth.passkeys where user_id = ?::uuid and attestation_format ="
                + " 'packed'", s.account().id()));
    }

    @Test
    void registrationsThatDoNotVerifyStoreNothing() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        Device d = Device.packed();

        // a challenge we never issued
        JsonPath o = optionsOk(s);
        JsonPath forgedChallenge = JsonPath.from(o.prettify().replace(o.getString("challenge"),
                B64.encodeToString(new byte[32])));
        var c = d.platform().create(creationOptions(forgedChallenge, AttestationConveyancePreference.NONE));
        register(s, registrationBody(c, null)).then().statusCode(400).body("type", equalTo(INVALID));

        // another origin (a phishing page): refused, and the challenge is spent with it
        JsonPath o2 = optionsOk(s);
        var phished = d.at("https://strata-login.example").platform()
                .create(creationOptions(o2, AttestationConveyancePreference.NONE));
        register(s, registrationBody(phished, null)).then().statusCode(400).body("type", equalTo(INVALID))
                .body("detail", containsString("origin"));
        var late = d.platform().create(creationOptions(o2, AttestationConveyancePreference.NONE));
        register(s, registrationBody(late, null)).then().statusCode(400).body("type", equalTo(INVALID));

        // a credential for another relying party
        JsonPath o3 = optionsOk(s);
        JsonPath otherRp = JsonPath.from(o3.prettify().replace("\"strata.test\"", "\"evil.test\""));
        var foreign = d.platform().create(creationOptions(otherRp, AttestationConveyancePreference.NONE));
        register(s, registrationBody(foreign, null)).then().statusCode(400).body("type", equalTo(INVALID));

        // an id that is not the attested credential's
        var honest = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.NONE));
        Map<String, Object> swapped = registrationBody(honest, null);
        swapped.put("id", B64.encodeToString(new byte[32]));
        register(s, swapped).then().statusCode(400).body("type", equalTo(INVALID));

        // a corrupted attestation object (not CBOR any more)
        var broken = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.NONE));
        Map<String, Object> corrupt = registrationBody(broken, null);
        byte[] att = broken.getResponse().getAttestationObject();
        corrupt.put("attestationObject", B64.encodeToString(java.util.Arrays.copyOf(att, att.length / 2)));
        register(s, corrupt).then().statusCode(400).body("type", equalTo(INVALID));

        // a challenge issued to another user (or another session of mine) is not mine
        Api.Signed other = Api.newUser();
        var stolen = d.platform().create(creationOptions(optionsOk(other), AttestationConveyancePreference.NONE));
        register(s, registrationBody(stolen, null)).then().statusCode(400).body("type", equalTo(INVALID));
        Api.Signed mySecondSession = Api.signIn(s.account());
        var elsewhere = d.platform().create(creationOptions(optionsOk(mySecondSession),
                AttestationConveyancePreference.NONE));
        register(s, registrationBody(elsewhere, null)).then().statusCode(400).body("type", equalTo(INVALID));

        // client data of a sign-in, not of a registration
        Map<String, Object> wrongType = registrationBody(d.platform().create(creationOptions(optionsOk(s),
                AttestationConveyancePreference.NONE)), null);
        var getData = d.platform().createCollectedClientData(ClientDataType.WEBAUTHN_GET,
                new DefaultChallenge(optionsOk(s).getString("challenge")));
        wrongType.put("clientDataJSON", B64.encodeToString(new CollectedClientDataConverter(CONVERTER)
                .convertToBytes(getData)));
        register(s, wrongType).then().statusCode(400).body("type", equalTo(INVALID));

        assertEquals(0, passkeysOf(userId));
        assertEquals(0, events("accounts.passkey_added", userId));
    }

    @Test
    void theSameCredentialTwiceIs409ForMeAndForAnybodyElse() throws Exception {
        Api.Signed s = Api.newUser();
        Registered r = registerNew(s, Device.packed(), "first");
        // a "none" attestation signs nothing, so its attestation object can be presented again with new client
        // data: the same credential id arriving a second time
        for (Api.Signed who : List.of(s, Api.newUser())) {
            Map<String, Object> again = new HashMap<>(r.body());
            var data = r.device().platform().createCollectedClientData(ClientDataType.WEBAUTHN_CREATE,
                    new DefaultChallenge(optionsOk(who).getString("challenge")));
            again.put("clientDataJSON", B64.encodeToString(new CollectedClientDataConverter(CONVERTER)
                    .convertToBytes(data)));
            register(who, again).then().statusCode(409).contentType(containsString("application/problem+json"))
                    .body("type", equalTo(PasskeyService.PASSKEY_EXISTS));
            assertEquals(0, events("accounts.passkey_added", who.account().id()) - (who == s ? 1 : 0));
        }
        assertEquals(1, count("select count(*) from auth.passkeys where credential_id = ?",
                (Object) dec(r.credentialId())));
    }

    @Test
    void listAndDeleteAndAnotherUsersPasskeyIs404() throws Exception {
        Api.Signed s = Api.newUser();
        Api.Signed other = Api.newUser();
        Registered a = registerNew(s, Device.packed(), "laptop");
        Registered b = registerNew(s, Device.counterless(), "phone");
        as(s).get("/api/users/me/passkeys").then().statusCode(200).body("passkeys", hasSize(2))
                .body("passkeys.name", equalTo(List.of("laptop", "phone")))
                .body("passkeys.credentialId", equalTo(List.of(a.credentialId(), b.credentialId())))
                .body("passkeys[0].id", equalTo(a.view().getString("id")));
        as(other).get("/api/users/me/passkeys").then().statusCode(200).body("passkeys", hasSize(0));

        as(other).delete("/api/users/me/passkeys/" + a.view().getString("id")).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        as(s).delete("/api/users/me/passkeys/" + UUID.randomUUID()).then().statusCode(404);
        as(s).delete("/api/users/me/passkeys/not-a-uuid").then().statusCode(400).body("errors.field", hasItem("id"));
        assertEquals(2, passkeysOf(s.account().id()));
        assertEquals(0, events("accounts.passkey_removed", s.account().id()));

        as(s).delete("/api/users/me/passkeys/" + a.view().getString("id")).then().statusCode(204);
        as(s).get("/api/users/me/passkeys").then().statusCode(200).body("passkeys.name", equalTo(List.of("phone")));
        assertEquals(1, events("accounts.passkey_removed", s.account().id()));
        as(s).delete("/api/users/me/passkeys/" + a.view().getString("id")).then().statusCode(404);

        // a removed passkey signs nobody in; the other one still does
        long before = sessionsOf(s.account().id());
        signIn(discoverable(a)).then().statusCode(400).body("type", equalTo(INVALID));
        assertEquals(before, sessionsOf(s.account().id()));
        signIn(assertion(b.device(), s.account().email())).then().statusCode(201);
    }

    /** A discoverable sign-in (no e-mail) answered with this passkey. */
    static Map<String, Object> discoverable(Registered r) {
        JsonPath o = signInOptionsOk(null);
        return assertionBody(o.getString("challengeId"),
                r.device().platform().get(requestOptions(o, List.of(r.credentialId()))));
    }

    @Test
    void assertionsThatDoNotVerifyOpenNoSession() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        Registered r = registerNew(s, Device.packed(), null);
        Api.Signed other = Api.newUser();
        Registered theirs = registerNew(other, Device.packed(), null);
        long sessions = sessionsOf(userId);
        long counter = signCount(r.credentialId());

        // a phishing origin
        JsonPath o = signInOptionsOk(s.account().email());
        signIn(assertionBody(o.getString("challengeId"), r.device().at("https://strata-login.example").platform()
                .get(requestOptions(o, null)))).then().statusCode(400).body("type", equalTo(INVALID))
                .body("detail", containsString("origin"));

        // a signature that does not verify
        Map<String, Object> tampered = assertion(r.device(), s.account().email());
        byte[] sig = dec((String) tampered.get("signature"));
        sig[sig.length - 1] ^= 1;
        tampered.put("signature", B64.encodeToString(sig));
        signIn(tampered).then().statusCode(400).body("type", equalTo(INVALID));

        // authenticator data of another assertion (its counter and flags, signed for another challenge)
        Map<String, Object> mixed = assertion(r.device(), s.account().email());
        mixed.put("authenticatorData", assertion(r.device(), s.account().email()).get("authenticatorData"));
        signIn(mixed).then().statusCode(400).body("type", equalTo(INVALID));

        // options for my address, answered with another user's passkey
        JsonPath mine = signInOptionsOk(s.account().email());
        signIn(assertionBody(mine.getString("challengeId"), theirs.device().platform()
                .get(requestOptions(mine, List.of(theirs.credentialId()))))).then().statusCode(400)
                .body("type", equalTo(INVALID));

        // a user handle that is not the passkey's user
        Map<String, Object> handle = assertion(r.device(), s.account().email());
        handle.put("userHandle", userHandle(other.account().id()));
        signIn(handle).then().statusCode(400).body("type", equalTo(INVALID));

        // a challengeId never issued, and one whose challenge is not the one signed
        Map<String, Object> unknown = assertion(r.device(), s.account().email());
        unknown.put("challengeId", SessionTokens.newToken());
        signIn(unknown).then().statusCode(400).body("type", equalTo(INVALID));
        Map<String, Object> swapped = assertion(r.device(), s.account().email());
        swapped.put("challengeId", signInOptionsOk(s.account().email()).getString("challengeId"));
        signIn(swapped).then().statusCode(400).body("type", equalTo(INVALID))
                .body("detail", containsString("challenge"));

        assertEquals(sessions, sessionsOf(userId));
        assertEquals(counter, signCount(r.credentialId()));
        assertEquals(1, count("select count(*) from auth.passkeys where user_id = ?::uuid and last_used_at is null",
                userId));
    }

    @Test
    void theSignatureCounterMustGoUpUnlessTheAuthenticatorKeepsNone() throws Exception {
        Api.Signed s = Api.newUser();
        String userId = s.account().id();
        Registered r = registerNew(s, Device.packed(), null);
        // two assertions made in order (counters n+1, n+2): the later one arrives first, then the earlier one is
        // what a clone with a lagging counter would send
        Map<String, Object> earlier = assertion(r.device(), s.account().email());
        Map<String, Object> later = assertion(r.device(), s.account().email());
        signIn(later).then().statusCode(201);
        long stored = signCount(r.credentialId());
        long sessions = sessionsOf(userId);
        signIn(earlier).then().statusCode(400).body("type", equalTo(INVALID)).body("detail", containsString("counter"));
        assertEquals(stored, signCount(r.credentialId()));
        assertEquals(sessions, sessionsOf(userId));
        // the stored counter ran ahead of the authenticator (a clone signed in meanwhile): refused as well
        Api.exec("update auth.passkeys set sign_count = sign_count + 1000 where credential_id = ?",
                (Object) dec(r.credentialId()));
        signIn(assertion(r.device(), s.account().email())).then().statusCode(400).body("type", equalTo(INVALID));
        assertEquals(sessions, sessionsOf(userId));

        // an authenticator without a counter (always 0) signs in again and again
        Registered zero = registerNew(s, Device.counterless(), null);
        assertEquals(0, signCount(zero.credentialId()));
        for (int i = 0; i < 3; i++) {
            signIn(assertion(zero.device(), s.account().email())).then().statusCode(201);
        }
        assertEquals(0, signCount(zero.credentialId()));
        assertEquals(sessions + 3, sessionsOf(userId));
    }

    @Test
    void oneChallengeUsedTwiceAtOnceSignsInOnce() throws Exception {
        Api.Signed s = Api.newUser();
        Registered r = registerNew(s, Device.counterless(), null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Map<String, Object> body = discoverable(r);
                long before = sessionsOf(s.account().id());
                CountDownLatch go = new CountDownLatch(1);
                Map<String, Object> b = body;
                Callable<Integer> call = () -> {
                    go.await();
                    return signIn(b).statusCode();
                };
                Future<Integer> f1 = pool.submit(call);
                Future<Integer> f2 = pool.submit(call);
                go.countDown();
                List<Integer> codes = new ArrayList<>(List.of(f1.get(), f2.get()));
                Collections.sort(codes);
                assertEquals(List.of(201, 400), codes);
                assertEquals(before + 1, sessionsOf(s.account().id()));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aBannedUserIsRefusedLikeAtPasswordSignIn() throws Exception {
        Api.Signed s = Api.newUser();
        Registered r = registerNew(s, Device.packed(), null);
        long counter = signCount(r.credentialId());
        Api.exec("update auth.users set banned_at = now() where id = ?::uuid", s.account().id());
        long sessions = sessionsOf(s.account().id());
        signIn(assertion(r.device(), s.account().email())).then().statusCode(403)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/auth/account-banned"));
        assertEquals(sessions, sessionsOf(s.account().id()));
        // the refused sign-in stored nothing, not even the counter
        assertEquals(counter, signCount(r.credentialId()));
        Api.exec("update auth.users set banned_at = null where id = ?::uuid", s.account().id());
        signIn(assertion(r.device(), s.account().email())).then().statusCode(201);
    }

    @Test
    void addingAPasskeyNeedsARecentSignIn() throws Exception {
        Api.Signed s = Api.newUser();
        Api.exec("update auth.sessions set reauthenticated_at = now() - interval '6 minutes' where id = ?::uuid",
                s.sessionId());
        options(s).then().statusCode(403).contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/auth/reauthentication-required"));
        as(s).contentType(ContentType.JSON).body(Map.of("password", Api.PASSWORD))
                .post("/api/sessions/current/reauthentication").then().statusCode(204);
        registerNew(s, Device.packed(), null);
        assertEquals(1, passkeysOf(s.account().id()));
    }

    @Test
    void addressesWithoutPasskeysGetTheSameShapeAndTheSameMadeUpCredentialEachTime() throws Exception {
        Api.Signed withPasskey = Api.newUser();
        Registered r = registerNew(withPasskey, Device.packed(), null);
        Api.Signed without = Api.newUser();
        String unknown = Api.randomEmail();

        JsonPath real = signInOptionsOk(withPasskey.account().email());
        assertEquals(List.of(r.credentialId()), real.getList("options.allowCredentials.id", String.class));
        for (String email : List.of(without.account().email(), unknown)) {
            JsonPath o = signInOptionsOk(email);
            assertEquals(real.getMap("options").keySet(), o.getMap("options").keySet());
            List<String> ids = o.getList("options.allowCredentials.id", String.class);
            assertEquals(1, ids.size(), email);
            int length = dec(ids.get(0)).length;
            assertTrue(length >= 16 && length <= 64, "length " + length);
            assertEquals(List.of("public-key"), o.getList("options.allowCredentials.type"));
            assertTrue(!o.getList("options.allowCredentials[0].transports").isEmpty());
            // stable: asking again does not tell a made-up list from a real one by changing
            assertEquals(ids, signInOptionsOk(email).getList("options.allowCredentials.id", String.class));
        }
        assertNotEquals(signInOptionsOk(unknown).getList("options.allowCredentials.id"),
                signInOptionsOk(without.account().email()).getList("options.allowCredentials.id"));
        // a real passkey cannot answer options made for another address
        JsonPath decoy = signInOptionsOk(unknown);
        signIn(assertionBody(decoy.getString("challengeId"), r.device().platform()
                .get(requestOptions(decoy, List.of(r.credentialId()))))).then().statusCode(400)
                .body("type", equalTo(INVALID));
    }

    @Test
    void badBodiesAreRefusedNamingTheFieldAndSpendNothing() throws Exception {
        Api.Signed s = Api.newUser();
        Device d = Device.packed();
        var credential = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.NONE));
        Map<String, Object> good = registrationBody(credential, "key");
        Map<String, Map.Entry<String, Object>> registrations = Map.of(
                "id", Map.entry("id", "not base64url!"),
                "clientDataJSON", Map.entry("clientDataJSON", 12),
                "attestationObject", Map.entry("attestationObject", "x".repeat(70_000)),
                "name", Map.entry("name", "x".repeat(101)),
                "transports", Map.entry("transports", List.of("USB!")),
                "userId", Map.entry("userId", s.account().id()),
                "id ", Map.entry("id", "A"));
        registrations.forEach((label, change) -> {
            Map<String, Object> body = new HashMap<>(good);
            body.put(change.getKey(), change.getValue());
            register(s, body).then().statusCode(400).contentType(containsString("application/problem+json"))
                    .body("errors.field", hasItem(containsString(change.getKey())));
        });
        Map<String, Object> missing = new HashMap<>(good);
        missing.remove("attestationObject");
        register(s, missing).then().statusCode(400).body("errors.field", hasItem("attestationObject"));
        assertEquals(0, passkeysOf(s.account().id()));
        // the refused bodies never reached the challenge: the good one still registers
        register(s, good).then().statusCode(201);

        Map<String, Object> assertion = assertion(d, s.account().email());
        Map<String, Object> badSignIns = Map.of(
                "challengeId", "short",
                "signature", "%%%",
                "authenticatorData", List.of(),
                "userHandle", "x".repeat(100),
                "origin", ORIGIN);
        badSignIns.forEach((field, value) -> {
            Map<String, Object> body = new HashMap<>(assertion);
            body.put(field, value);
            signIn(body).then().statusCode(400).contentType(containsString("application/problem+json"))
                    .body("errors.field", hasItem(field));
        });
        from(Api.randomIp()).contentType(ContentType.JSON).body(Map.of("email", "not-an-email"))
                .post("/api/sessions/passkey-options").then().statusCode(400).body("errors.field", hasItem("email"));
        long sessions = sessionsOf(s.account().id());
        signIn(assertion).then().statusCode(201);
        assertEquals(sessions + 1, sessionsOf(s.account().id()));
    }

    static AuthConfig.Passkeys config(String rpId, String... origins) {
        return new AuthConfig.Passkeys() {
            public String rpId() {
                return rpId;
            }

            public String rpName() {
                return "Strata";
            }

            public List<String> origins() {
                return List.of(origins);
            }

            public Duration challengeTtl() {
                return Duration.ofMinutes(5);
            }
        };
    }

    @Test
    void startUpRefusesOriginsNoBrowserOrOnlyAnAttackerCouldUse() {
        PasskeyVerifier.checkConfiguration(config("strata.dev", "https://strata.dev", "https://app.strata.dev:8443"));
        PasskeyVerifier.checkConfiguration(config("localhost", "http://localhost:8081"));
        for (AuthConfig.Passkeys bad : List.of(config("strata.dev", "http://app.strata.dev"),
                config("strata.dev", "https://strata.dev.evil.example"), config("strata.dev", "https://evilstrata.dev"),
                config("strata.dev", "https://app.strata.dev/login"), config("strata.dev"),
                config("https://strata.dev", "https://strata.dev"), config("strata.dev", "not an origin"))) {
            assertThrows(IllegalStateException.class, () -> PasskeyVerifier.checkConfiguration(bad),
                    bad.rpId() + " " + bad.origins());
        }
    }

    @Test
    void withoutASessionTheAccountEndpointsAre401() {
        given().contentType(ContentType.JSON).post("/api/users/me/passkeys/registration-options").then()
                .statusCode(401).contentType(containsString("application/problem+json"));
        given().contentType(ContentType.JSON).body(Map.of("id", "AAAAAAAAAAAAAAAAAAAAAA", "clientDataJSON", "e30",
                "attestationObject", "oA")).post("/api/users/me/passkeys").then().statusCode(401);
        given().get("/api/users/me/passkeys").then().statusCode(401);
        given().delete("/api/users/me/passkeys/" + UUID.randomUUID()).then().statusCode(401);
    }

    @Test
    void everyPasskeyEndpointThatWritesIsRateLimited() throws Exception {
        // sign-in options: 30 a minute per client address
        String ip = Api.randomIp();
        for (int i = 0; i < 30; i++) {
            signInOptions(ip, null).then().statusCode(200).header("RateLimit-Limit", "30");
        }
        signInOptions(ip, Api.randomEmail()).then().statusCode(429).header("Retry-After", notNullValue())
                .contentType(containsString("application/problem+json"));
        signInOptions(Api.randomIp(), null).then().statusCode(200);

        // assertions count under sign-in-ip, like password sign-ins (30 a minute per address)
        String ip2 = Api.randomIp();
        Map<String, Object> junk = Map.of("challengeId", SessionTokens.newToken(), "id", "AAAAAAAAAAAAAAAAAAAAAA",
                "clientDataJSON", "e30", "authenticatorData", "AA", "signature", "AA");
        for (int i = 0; i < 30; i++) {
            from(ip2).contentType(ContentType.JSON).body(junk).post("/api/sessions/passkey").then().statusCode(400);
        }
        from(ip2).contentType(ContentType.JSON).body(junk).post("/api/sessions/passkey").then().statusCode(429)
                .header("Retry-After", notNullValue());

        // registration: 20 per user in 15 minutes, options and registrations together
        Api.Signed s = Api.newUser();
        for (int i = 0; i < 19; i++) {
            options(s).then().statusCode(200).header("RateLimit-Limit", "20");
        }
        Device d = Device.packed();
        var last = d.platform().create(creationOptions(optionsOk(s), AttestationConveyancePreference.NONE));
        register(s, registrationBody(last, null)).then().statusCode(429).header("Retry-After", notNullValue());
        options(s).then().statusCode(429);
        assertEquals(0, passkeysOf(s.account().id()));
        options(Api.newUser()).then().statusCode(200);
    }
}
