package dev.strata.storage;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import dev.strata.testing.StrataServers;
import dev.strata.testing.StrataServersResource;

/** The shared servers, but clients are told another name for the S3 host than the one the gateway uses. */
public class PublicHostResource extends StrataServersResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        URI u = URI.create(StrataServers.shared().s3Endpoint());
        String other = "localhost".equals(u.getHost()) ? "127.0.0.1" : "localhost";
        config.put("strata.storage.public-endpoint", u.getScheme() + "://" + other + ":" + u.getPort());
        return config;
    }
}
