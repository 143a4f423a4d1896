package dev.strata.storage.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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

    /** File extensions for a type, the preferred one first; empty for unknown types. */
    public static List<String> extensions(String contentType) {
        return switch (contentType == null ? "" : contentType) {
            case "image/png" -> List.of("png");
            case "image/jpeg" -> List.of("jpg", "jpeg");
            case "application/pdf" -> List.of("pdf");
            case "image/webp" -> List.of("webp");
            case "image/gif" -> List.of("gif");
            case "application/json" -> List.of("json");
            default -> List.of();
        };
    }

    /** The type a file name's extension stands for, if known. */
    public static String typeForName(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (String type : List.of("image/png", "image/jpeg", "application/pdf", "image/webp", "image/gif",
                "application/json")) {
            if (extensions(type).contains(ext)) {
                return type;
            }
        }
        return null;
    }

    /** The declared MIME type without parameters, lower-cased ({@code image/PNG; x=y} → {@code image/png}). */
    public static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
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
