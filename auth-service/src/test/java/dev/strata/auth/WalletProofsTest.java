package dev.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

import dev.strata.auth.service.WalletProofs;

/** The proof itself, without a server: recovery, v forms, and what is not a signature. */
class WalletProofsTest {

    private static final HexFormat HEX = HexFormat.of();

    static String sign(ECKeyPair key, String message, int vShift) {
        Sign.SignatureData d = Sign.signPrefixedMessage(message.getBytes(StandardCharsets.UTF_8), key);
        return "0x" + HEX.formatHex(d.getR()) + HEX.formatHex(d.getS())
                + String.format("%02x", (d.getV()[0] & 0xff) - vShift);
    }

    @Test
    void recoversTheSignerOfAPersonalSignMessage() throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        String address = "0x" + Keys.getAddress(key);
        String message = WalletProofs.message(address, UUID.randomUUID(), WalletProofs.nonce(), Instant.now(),
                Instant.now().plusSeconds(300));
        assertEquals(address, WalletProofs.signer(message, sign(key, message, 0)));
        // v as 0/1, as some hardware wallets give it
        assertEquals(address, WalletProofs.signer(message, sign(key, message, 27)));
        // upper-case hex is the same signature
        assertEquals(address, WalletProofs.signer(message, "0x" + sign(key, message, 0).substring(2).toUpperCase()));
        // another text: somebody else (or nobody)
        assertFalse(address.equals(WalletProofs.signer(message + " ", sign(key, message, 0))));
    }

    @Test
    void aKnownKeyHasItsKnownAddress() {
        // private key 1: the generator point's address
        ECKeyPair one = ECKeyPair.create(BigInteger.ONE);
        assertEquals("7e5f4552091a69125d5dfcb7b8c2659029395bdf", Keys.getAddress(one));
        String message = "hello";
        assertEquals("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
                WalletProofs.signer(message, sign(one, message, 0)));
    }

    @Test
    void whatIsNotASignatureRecoversNobody() throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        String good = sign(key, "m", 0);
        assertNull(WalletProofs.signer("m", "0x" + "00".repeat(64) + "1b"));
        assertNull(WalletProofs.signer("m", good.substring(0, 130) + "1d"));
        assertNull(WalletProofs.signer("m", "0x" + "ff".repeat(64) + "1b"));
        assertNull(WalletProofs.signer("m", good.substring(0, 100)));
        assertNull(WalletProofs.signer("m", null));
        assertTrue(WalletProofs.validAddress("0x" + "aB".repeat(20)));
        assertFalse(WalletProofs.validAddress("0x" + "aB".repeat(19)));
        assertFalse(WalletProofs.validAddress("0X" + "ab".repeat(20)));
    }
}
