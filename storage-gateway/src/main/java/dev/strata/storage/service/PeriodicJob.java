package dev.strata.storage.service;

import java.time.Duration;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * Blocking background work on a Vert.x timer: first after an initial delay, then every interval (at least 1 s), on
 * the worker pool and ordered, so a slow run is never overlapped by the next tick's. A failed run is logged and the
 * next tick tries again.
 */
final class PeriodicJob {

    private static final Logger LOG = Logger.getLogger(PeriodicJob.class);

    interface Work {
        void run() throws Exception;
    }

    private final Vertx vertx;
    private final String what;
    private final Work work;
    private volatile long timerId = -1;

    /** @param what names the work in the failure log ("<what> failed: …") */
    PeriodicJob(Vertx vertx, String what, Work work) {
        this.vertx = vertx;
        this.what = what;
        this.work = work;
    }

    void start(Duration initialDelay, Duration interval) {
        vertx.setTimer(Math.max(1, initialDelay.toMillis()), first -> {
            runInBackground();
            timerId = vertx.setPeriodic(Math.max(1000, interval.toMillis()), id -> runInBackground());
        });
    }

    void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    private void runInBackground() {
        vertx.executeBlocking(() -> {
            try {
                work.run();
            } catch (Exception e) {
                LOG.warnf("%s failed: %s", what, e.toString());
            }
            return null;
        }, true);
    }
}
