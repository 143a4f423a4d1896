package dev.strata.storage.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Checks a file's leading bytes against the type it claims to be. */
public final class ContentSniffer {

    /** How many leading bytes {@link #matches} needs. */
    public static final int PREFIX_LENGTH = 16;

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PDF = "%PDF-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RIFF = "RIFF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WEBP = "WEBP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GIF = "GIF8".getBytes(StandardCharsets.US_ASCII);

    private ContentSniffer() {
    }

    public static boolean matches(String contentType, byte[] head) {
        if (contentType == null || head == null) {
            return false;
        }
        return switch (contentType) {
            case "image/png" -> startsWith(head, 0, PNG);
            case "image/jpeg" -> startsWith(head, 0, JPEG);
            case "application/pdf" -> startsWith(head, 0, PDF);
            case "image/webp" -> startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP);
            case "image/gif" -> startsWith(head, 0, GIF);
            case "application/json" -> firstNonBlank(head) == '{' || firstNonBlank(head) == '[';
            // a type without a signature we know cannot be vouched for
            default -> false;
        };
    }

    /** The declared MIME type without parameters, lower-cased ({@code image/PNG; x=y} → {@code image/png}). */
    public static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean startsWith(byte[] head, int offset, byte[] magic) {
        return head.length >= offset + magic.length
                && Arrays.equals(head, offset, offset + magic.length, magic, 0, magic.length);
    }

    private static int firstNonBlank(byte[] head) {
        int i = 0;
        // UTF-8 byte order mark
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        for (; i < head.length; i++) {
            byte b = head[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b;
            }
        }
        return -1;
    }
}
