package dev.strata.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The management-interface checks every service's skeleton test makes: health and metrics only on the management
 * port, and the store meters there (platform/README.md "Store metrics").
 */
public final class ManagementChecks {

    /** The Redis client's meters, in every service. */
    public static final List<String> REDIS_METERS = List.of("redis_commands_duration_seconds_count{",
            "redis_commands_failure_total{", "redis_pool_queue_delay_seconds_count{");

    /** A service with a PostgreSQL schema: its reactive pool, its statements, and its Redis client. */
    public static final List<String> DATABASE_SERVICE_METERS = concat(List.of("sql_pool_active{", "sql_pool_idle{",
            "sql_pool_queue_size{", "sql_pool_queue_delay_seconds_count{", "sql_pool_rejected_total{",
            "postgresql_reset_total{"), REDIS_METERS);

    private ManagementChecks() {
    }

    public static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** The port the Service (and the Ingress) uses has neither health nor metrics: both are 404 there. */
    public static void servedOnlyOnManagementPort(int servicePort, int managementPort) {
        if (servicePort == managementPort) {
            throw new AssertionError("the management interface shares the service port " + servicePort);
        }
        for (String path : List.of("/q/health/ready", "/q/health/live", "/q/metrics")) {
            Faults.Answer a = Faults.get(Faults.url(servicePort, path), null);
            if (a.status() != 404) {
                throw new AssertionError(path + " on the service port: " + a);
            }
        }
    }

    /**
     * Once ready (readiness uses the stores, so every store meter exists by then), the management port's
     * {@code /q/metrics} carries every one of {@code meters} (metric names with their opening brace).
     */
    public static void exportsMeters(int managementPort, List<String> meters) {
        Faults.Answer ready = Faults.ready(managementPort);
        if (ready.status() != 200) {
            throw new AssertionError("not ready: " + ready);
        }
        Faults.Answer metrics = Faults.get(Faults.url(managementPort, "/q/metrics"), null);
        if (metrics.status() != 200) {
            throw new AssertionError("/q/metrics: " + metrics);
        }
        List<String> missing = meters.stream().filter(m -> !metrics.body().contains(m)).toList();
        if (!missing.isEmpty()) {
            throw new AssertionError(missing + " missing from /q/metrics");
        }
    }
}
