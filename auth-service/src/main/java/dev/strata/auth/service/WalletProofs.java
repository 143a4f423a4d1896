package dev.strata.auth.service;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * The wallet ownership proof: the text a user signs with {@code personal_sign} (EIP-191) and the recovery of the
 * signing address from a 65-byte {@code r || s || v} signature over it. Pure functions, no I/O.
 */
public final class WalletProofs {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern SIGNATURE = Pattern.compile("0x[0-9a-fA-F]{130}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private WalletProofs() {
    }

    /** True for {@code 0x} and 40 hex digits, in any case. */
    public static boolean validAddress(String address) {
        return address != null && ADDRESS.matcher(address).matches();
    }

    public static boolean validSignature(String signature) {
        return signature != null && SIGNATURE.matcher(signature).matches();
    }

    /**
     * The address of a public key: the last 20 bytes of keccak256 of its 64-byte {@code x || y}. (web3j's
     * {@code Keys.getAddress} computes the same, but loading {@code Keys} registers Bouncy Castle as a global JCA
     * provider, which this service neither needs nor wants in a native image.)
     */
    static String address(BigInteger publicKey) {
        byte[] hash = Hash.sha3(Numeric.toBytesPadded(publicKey, 64));
        return "0x" + HexFormat.of().formatHex(hash, 12, 32);
    }

    /** The stored form: lower-case (EIP-55 mixed case is only a checksum). */
    public static String normalize(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    /** 128 random bits as 32 hex digits. */
    public static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The one-time text to sign; every line but the last is what the server checks by keeping the exact text. */
    public static String message(String address, UUID userId, String nonce, Instant issuedAt, Instant expiresAt) {
        return "Strata: link this wallet to your account\n"
                + "\n"
                + "Address: " + address + "\n"
                + "User: " + userId + "\n"
                + "Nonce: " + nonce + "\n"
                + "Issued at: " + issuedAt + "\n"
                + "Expires at: " + expiresAt + "\n"
                + "\n"
                + "Signing proves that you control this address. It is not a transaction and costs nothing.";
    }

    /**
     * The address (lower-case, {@code 0x}-prefixed) whose key made {@code signature} over
     * {@code keccak256("\x19Ethereum Signed Message:\n" + len(message) + message)}, or null when the signature is
     * not a valid secp256k1 signature at all. {@code v} may be 27/28 or 0/1 (some hardware wallets).
     */
    public static String signer(String message, String signature) {
        if (!validSignature(signature)) {
            return null;
        }
        byte[] sig = HexFormat.of().parseHex(signature.substring(2));
        int v = sig[64] & 0xff;
        if (v < 27) {
            v += 27;
        }
        if (v != 27 && v != 28) {
            return null;
        }
        byte[] r = Arrays.copyOfRange(sig, 0, 32);
        byte[] s = Arrays.copyOfRange(sig, 32, 64);
        if (new BigInteger(1, r).signum() == 0 || new BigInteger(1, s).signum() == 0) {
            return null;
        }
        try {
            BigInteger key = Sign.signedPrefixedMessageToKey(message.getBytes(StandardCharsets.UTF_8),
                    new Sign.SignatureData((byte) v, r, s));
            return address(key);
        } catch (java.security.SignatureException | RuntimeException e) {
            // r or s out of range, no point on the curve for r: not a signature by anyone
            return null;
        }
    }
}
