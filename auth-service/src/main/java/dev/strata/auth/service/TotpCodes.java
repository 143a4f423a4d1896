package dev.strata.auth.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import javax.crypto.spec.SecretKeySpec;

import org.apache.commons.codec.binary.Base32;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

/**
 * TOTP as authenticator apps speak it (RFC 6238 with the Key URI Format's defaults: HMAC-SHA1, 6 digits, 30 s), by
 * the java-otp library; plus the enrolment URI and its QR code. Pure functions, no state.
 */
public final class TotpCodes {

    public static final Duration STEP = Duration.ofSeconds(30);
    public static final int DIGITS = 6;
    public static final String ALGORITHM = "HmacSHA1";
    /** Codes of the neighbouring steps count too: clocks drift and typing takes time (RFC 6238 §5.2). */
    public static final int WINDOW = 1;
    /** 160 bits: the HMAC-SHA1 block-size recommendation of RFC 4226 §4. */
    public static final int SECRET_BYTES = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private TotpCodes() {
    }

    public static byte[] newSecret() {
        byte[] b = new byte[SECRET_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    public static String base32(byte[] secret) {
        return new Base32().encodeToString(secret).replace("=", "");
    }

    public static long step(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), STEP.toSeconds());
    }

    /** The code of time step {@code step}, zero-padded to {@link #DIGITS}. */
    public static String code(byte[] secret, long step) {
        try {
            // a new generator per call: the library's generator holds a Mac and is not thread-safe
            var generator = new TimeBasedOneTimePasswordGenerator(STEP, DIGITS, ALGORITHM);
            int c = generator.generateOneTimePassword(new SecretKeySpec(secret, ALGORITHM),
                    Instant.ofEpochSecond(step * STEP.toSeconds()));
            return String.format("%0" + DIGITS + "d", c);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The step within the window around {@code now} whose code is {@code code}, or -1. Compares in constant time. */
    public static long matchingStep(byte[] secret, String code, Instant now) {
        if (code == null || !code.matches("[0-9]{" + DIGITS + "}")) {
            return -1;
        }
        long current = step(now);
        long found = -1;
        for (long s = current - WINDOW; s <= current + WINDOW; s++) {
            if (MessageDigest.isEqual(code(secret, s).getBytes(StandardCharsets.US_ASCII),
                    code.getBytes(StandardCharsets.US_ASCII)) && found < 0) {
                found = s;
            }
        }
        return found;
    }

    /** The Key URI Format (Google Authenticator's) that every authenticator app imports. */
    public static String uri(String issuer, String account, byte[] secret) {
        String label = enc(issuer) + ":" + enc(account);
        return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=" + enc(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP.toSeconds();
    }

    /** The QR code of {@code text} as an SVG data URI (one path of dark modules, 4-module quiet zone). */
    public static String qrSvgDataUri(String text) {
        BitMatrix m;
        try {
            m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.MARGIN, 4, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
        } catch (WriterException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                if (m.get(x, y)) {
                    path.append('M').append(x).append(' ').append(y).append("h1v1h-1z");
                }
            }
        }
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + m.getWidth() + " " + m.getHeight()
                + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
