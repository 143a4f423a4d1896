package dev.strata.storage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Uses presigned URLs the way a browser or app would: plain HTTP, no S3 SDK. */
final class S3Http {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private S3Http() {
    }

    /** A browser-style form POST: policy fields first, the file last. */
    static HttpResponse<String> postForm(String url, Map<String, ?> fields, String fileName, String fileType,
            byte[] file) throws IOException, InterruptedException {
        return dev.strata.testing.BrowserForms.post(url, fields, fileName, fileType, file);
    }

    static HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
