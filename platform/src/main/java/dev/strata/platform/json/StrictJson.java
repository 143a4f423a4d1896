package dev.strata.platform.json;

import jakarta.inject.Singleton;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Request bodies mean exactly one thing, and only what every store can keep. A JSON object with the same key twice is ambiguous (which one did the client
 * mean? which one did a proxy or WAF check?), and a number or boolean where a string is expected is a client bug we
 * would otherwise store as text: both are refused as malformed (400) instead of silently accepted. So is a NUL
 * character in any string: PostgreSQL text cannot hold it (the insert would fail as a 500), and C-based peers
 * would truncate at it.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // "{...}garbage" is not a JSON document; by default Jackson reads the object and ignores the rest
        mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.registerModule(new SimpleModule("strata-nul-free-strings").addDeserializer(String.class,
                new NulFreeStrings()));
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /** The standard string deserializer (coercion rules included), then a refusal of NUL characters. */
    static final class NulFreeStrings extends StdScalarDeserializer<String> {

        NulFreeStrings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = StringDeserializer.instance.deserialize(p, ctxt);
            if (s != null && s.indexOf('\u0000') >= 0) {
                throw InvalidFormatException.from(p, "NUL characters are not allowed", s, String.class);
            }
            return s;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }
    }
}
