package dev.strata.storage.domain;

import java.text.Normalizer;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Object keys are built here, never taken from a client verbatim: every segment is a short run of
 * {@code [A-Za-z0-9._-]} that is not {@code .} or {@code ..}, so no key can climb a prefix, carry control
 * characters or grow without bound.
 */
public final class ObjectKeys {

    public static final int MAX_KEY_LENGTH = 512;
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern UNSAFE_CHARS = Pattern.compile("[^A-Za-z0-9._-]+");
    private static final Pattern DOT_RUNS = Pattern.compile("\\.{2,}");
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern TOKEN_ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    private ObjectKeys() {
    }

    /** A client file name reduced to a safe, bounded basename (the extension survives truncation). */
    public static String sanitizeFileName(String raw, int maxLength) {
        String name = raw == null ? "" : raw;
        // only the last path element counts, whichever separator the client's OS uses
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        name = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        name = UNSAFE_CHARS.matcher(name).replaceAll("_");
        name = DOT_RUNS.matcher(name).replaceAll(".");
        name = name.replaceAll("^[._-]+", "").replaceAll("[._-]+$", "");
        if (name.isEmpty()) {
            name = "file";
        }
        if (name.length() > maxLength) {
            int dot = name.lastIndexOf('.');
            String ext = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
            name = name.substring(0, maxLength - ext.length()) + ext;
        }
        return name;
    }

    /**
     * Makes the name end in the declared type's extension ({@code evil.html} declared as PNG becomes
     * {@code evil.html.png}), so the key itself records the declared type and a download is never saved under
     * a misleading extension.
     */
    public static String withExtensionFor(String sanitizedName, String contentType, int maxLength) {
        List<String> exts = ContentSniffer.extensions(contentType);
        if (exts.isEmpty()) {
            return sanitizedName;
        }
        int dot = sanitizedName.lastIndexOf('.');
        String ext = dot >= 0 ? sanitizedName.substring(dot + 1).toLowerCase(java.util.Locale.ROOT) : "";
        if (exts.contains(ext)) {
            return sanitizedName;
        }
        String suffix = "." + exts.get(0);
        String base = sanitizedName.length() + suffix.length() > maxLength
                ? sanitizedName.substring(0, maxLength - suffix.length()) : sanitizedName;
        return base + suffix;
    }

    public static String tempUploadKey(String userId, UUID uploadId, String sanitizedName) {
        return requireUserId(userId) + "/temp/" + uploadId + "/" + sanitizedName;
    }

    public static String tempUploadPrefix(String userId, UUID uploadId) {
        return requireUserId(userId) + "/temp/" + uploadId + "/";
    }

    /**
     * Where completion moves a verified upload. No POST policy is ever issued for this key, so a replayed form
     * (the policy stays valid until it expires) can only write the temp key again, which nothing reads.
     */
    public static String completedUploadKey(String userId, UUID uploadId, String sanitizedName) {
        return requireUserId(userId) + "/done/" + uploadId + "/" + sanitizedName;
    }

    public static String completedUploadPrefix(String userId, UUID uploadId) {
        return requireUserId(userId) + "/done/" + uploadId + "/";
    }

    /** The upload id of a {@code {userId}/temp|done/{uploadId}/...} key, or null. */
    public static String uploadIdOf(String key) {
        String[] parts = key.split("/", 4);
        return parts.length == 4 && (parts[1].equals("temp") || parts[1].equals("done")) ? parts[2] : null;
    }

    /**
     * True for keys of the form {@code {userId}/temp/...} or {@code {userId}/done/...} (completed uploads are still
     * temporary until promoted), the only ones the sweeper may delete.
     */
    public static boolean isTempKey(String key) {
        String[] parts = key.split("/", 3);
        return parts.length == 3 && (parts[1].equals("temp") || parts[1].equals("done"));
    }

    public static boolean isOwnedBy(String key, String userId) {
        return userId != null && key.startsWith(userId + "/");
    }

    /** The file name part of a key, for Content-Disposition. */
    public static String fileNameOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** True when a service-supplied key consists only of safe segments (internal API). */
    public static boolean isSafeKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return false;
        }
        for (String segment : key.split("/", -1)) {
            if (!SAFE_SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    public static boolean isSafeUserId(String userId) {
        return userId != null && USER_ID.matcher(userId).matches();
    }

    public static boolean isTokenAddress(String address) {
        return address != null && TOKEN_ADDRESS.matcher(address).matches();
    }

    private static String requireUserId(String userId) {
        if (!isSafeUserId(userId)) {
            throw new IllegalArgumentException("unsafe user id");
        }
        return userId;
    }
}
