package dev.strata.storage.service;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;
import dev.strata.storage.config.StorageConfig;
import dev.strata.storage.domain.ContentSniffer;
import dev.strata.storage.domain.ObjectInfo;
import dev.strata.storage.domain.ObjectKeys;
import dev.strata.storage.domain.PresignedUrl;

/**
 * Token logos and metadata documents ({@code token-metadata}). They are public, so the gateway takes the bytes
 * itself and verifies them before anything is stored: an unverified file never becomes publicly readable.
 */
@ApplicationScoped
public class TokenMetadataService {

    /** What can be stored per token, and under which key suffix. */
    public enum Kind {
        LOGO("logo"), METADATA("metadata.json");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        public static Optional<Kind> parse(String s) {
            return switch (s) {
                case "logo" -> Optional.of(LOGO);
                case "metadata" -> Optional.of(METADATA);
                default -> Optional.empty();
            };
        }
    }

    public record Stored(String address, String kind, String key, String contentType, long size) {
    }

    private final ObjectStore store;
    private final StorageMetrics metrics;
    private final StorageConfig config;
    private final ObjectMapper json;

    public TokenMetadataService(ObjectStore store, StorageMetrics metrics, StorageConfig config, ObjectMapper json) {
        this.store = store;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
    }

    public Uni<Stored> put(String address, Kind kind, String contentType, byte[] body) {
        String key = key(address, kind);
        StorageConfig.TokenMetadata limits = config.buckets().tokenMetadata();
        String type = ContentSniffer.baseType(contentType);
        if (kind == Kind.LOGO && (type == null || !type.startsWith("image/") || !limits.allowedTypes().contains(type))) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "A logo must be one of "
                    + String.join(", ", limits.allowedTypes().stream().filter(t -> t.startsWith("image/")).toList())));
        }
        if (kind == Kind.METADATA && !"application/json".equals(type)) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Token metadata must be application/json"));
        }
        // parsing up to max-size of JSON is CPU work: keep it off the event loop with the S3 call
        return store.blocking(() -> {
            String problem = null;
            if (body == null || body.length == 0) {
                problem = "The file is empty";
            } else if (body.length > limits.maxSize()) {
                problem = "The file is larger than " + limits.maxSize() + " bytes";
            } else if (kind == Kind.METADATA && !isJsonObject(body)) {
                problem = "Token metadata must be a JSON object";
            } else if (!ContentSniffer.matches(type, body)) {
                problem = "The file's content does not match its declared type " + type;
            }
            if (problem != null) {
                metrics.completion(false, "token-metadata");
                throw StorageProblems.rejectedContent(problem);
            }
            store.putNow(limits.name(), key, body, type);
            metrics.completion(true, "token-metadata");
            return new Stored(normalize(address), kind.name().toLowerCase(Locale.ROOT), key, type, body.length);
        });
    }

    /** A short-lived presigned GET for a public read, or 404 when nothing is stored. */
    public Uni<PresignedUrl> publicUrl(String address, Kind kind) {
        String bucket = config.buckets().tokenMetadata().name();
        String key = key(address, kind);
        return store.blocking(() -> {
            Optional<ObjectInfo> info = store.statNow(bucket, key);
            if (info.isEmpty()) {
                throw ProblemException.notFound("Nothing stored for this token");
            }
            return store.presignGetNow(bucket, key, config.publicReadExpiry(), null, "public-read");
        });
    }

    public static String key(String address, Kind kind) {
        return normalize(address) + "/" + kind.suffix;
    }

    private static String normalize(String address) {
        if (!ObjectKeys.isTokenAddress(address)) {
            throw ProblemException.invalidField("address", "must be a 0x-prefixed 20-byte hex address");
        }
        return address.toLowerCase(Locale.ROOT);
    }

    private boolean isJsonObject(byte[] body) {
        // RFC 8259: no byte order mark; served as-is to browsers, where a BOM breaks some parsers
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            return false;
        }
        try {
            // one document only: the platform's mapper refuses trailing tokens ("{}garbage"), see StrictJson
            JsonNode node = json.readTree(body);
            return node != null && node.isObject();
        } catch (Exception e) {
            return false;
        }
    }
}
