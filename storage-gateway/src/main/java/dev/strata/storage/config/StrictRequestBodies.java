package dev.strata.storage.config;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The gateway's own request bodies refuse unknown fields (400 {@code malformed-body}): a misspelt optional field
 * (e.g. {@code "maxsize"} on {@code /internal/objects/upload-url}) would otherwise be dropped silently and the
 * caller get a broader POST policy than it asked for. Limited to {@code dev.strata.storage.rest} types, because the
 * same mapper reads records written by other services (sessions), which must tolerate fields added later.
 */
@Singleton
public class StrictRequestBodies implements ObjectMapperCustomizer {

    private static final String REQUESTS = "dev.strata.storage.rest.";

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                if (type.getName().startsWith(REQUESTS)) {
                    throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName, null);
                }
                return false;
            }
        });
    }
}
