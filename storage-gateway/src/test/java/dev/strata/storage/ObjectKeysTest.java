package dev.strata.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectKeys;

/** Plain unit tests of key building and content sniffing (no servers needed). */
class ObjectKeysTest {

    @Test
    void fileNamesAreReducedToSafeBoundedBasenames() {
        assertEquals("passwd", ObjectKeys.sanitizeFileName("../../etc/passwd", 100));
        assertEquals("evil.png", ObjectKeys.sanitizeFileName("..\\..\\evil.png", 100));
        assertEquals("a_b.pdf", ObjectKeys.sanitizeFileName("a\r\n\u0000b.pdf", 100));
        assertEquals("unicode.png", ObjectKeys.sanitizeFileName("ünïcödé.png", 100));
        assertEquals("file", ObjectKeys.sanitizeFileName("....", 100));
        assertEquals("file", ObjectKeys.sanitizeFileName(null, 100));
        String longName = ObjectKeys.sanitizeFileName("y".repeat(2000) + ".jpeg", 100);
        assertEquals(100, longName.length());
        assertTrue(longName.endsWith(".jpeg"));
        assertFalse(ObjectKeys.sanitizeFileName("a..b", 100).contains(".."));
    }

    @Test
    void theDeclaredTypesExtensionIsForced() {
        assertEquals("evil.html.png", ObjectKeys.withExtensionFor("evil.html", "image/png", 100));
        assertEquals("photo.JPG", ObjectKeys.withExtensionFor("photo.JPG", "image/jpeg", 100));
        assertEquals("doc.pdf", ObjectKeys.withExtensionFor("doc", "application/pdf", 100));
        assertEquals(100, ObjectKeys.withExtensionFor("z".repeat(100), "image/webp", 100).length());
        assertEquals("image/jpeg", ContentSniffer.typeForName("a.jpeg"));
        assertEquals(null, ContentSniffer.typeForName("a.html"));
    }

    @Test
    void serviceKeysMustAlreadyBeSafe() {
        assertTrue(ObjectKeys.isSafeKey("app-1/passport/3f2a"));
        for (String bad : new String[] { "../a", "a/../b", "a/./b", "/a", "a/", "a//b", "a b", "a\u0001b", "",
                "a/" + "b".repeat(600) }) {
            assertFalse(ObjectKeys.isSafeKey(bad), bad);
        }
        assertTrue(ObjectKeys.isTempKey("u1/temp/x/y.png"));
        assertFalse(ObjectKeys.isTempKey("u1/profile/y.png"));
        assertFalse(ObjectKeys.isTempKey("temp/y.png"));
    }

    @Test
    void magicBytesMustMatchTheType() {
        assertTrue(ContentSniffer.matches("image/png", Files.png(16)));
        assertTrue(ContentSniffer.matches("application/pdf", Files.pdf(16)));
        assertTrue(ContentSniffer.matches("image/jpeg", new byte[] { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0 }));
        assertTrue(ContentSniffer.matches("image/webp", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(ContentSniffer.matches("application/json", " \n{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(ContentSniffer.matches("image/png", Files.pdf(16)));
        assertFalse(ContentSniffer.matches("image/webp", "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1)));
        assertFalse(ContentSniffer.matches("text/html", Files.html(64)));
        assertFalse(ContentSniffer.matches("image/png", new byte[0]));
    }
}
