package dev.strata.rates.rest;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.ratelimit.RateLimited;
import dev.strata.platform.security.Caller;
import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.repository.HistoryRepository;
import dev.strata.rates.service.RatesService;
import dev.strata.rates.service.RefreshService;

/**
 * Exchange rates. Reads are public (no session lookup on the hot path); overrides and forced refreshes need the
 * {@code admin} role. Every endpoint is rate limited (policies {@code strata.rate-limit.policies.rates-*}): reads
 * per client IP, generously; history (never cached, a database query each) tighter; admin writes per account.
 */
@Path("/api/rates")
@Produces(MediaType.APPLICATION_JSON)
public class RatesResource {

    private static final Duration MAX_OVERRIDE = Duration.ofDays(30);

    private final RatesService rates;
    private final RefreshService refresher;
    private final RatesConfig config;
    private final SecurityIdentity identity;

    public RatesResource(RatesService rates, RefreshService refresher, RatesConfig config, SecurityIdentity identity) {
        this.rates = rates;
        this.refresher = refresher;
        this.config = config;
        this.identity = identity;
    }

    /** Plaintext liveness of the REST layer, the benchmark's baseline. */
    @GET
    @Path("/ping")
    @Produces(MediaType.TEXT_PLAIN)
    @RateLimited("rates-read")
    public String ping() {
        return "pong";
    }

    @GET
    @Path("/{base}/{quote}")
    @RateLimited("rates-read")
    public Uni<Views.RateView> rate(@PathParam("base") String base, @PathParam("quote") String quote) {
        String b = Requests.code("base", base);
        String q = Requests.code("quote", quote);
        return rates.rate(b, q).map(r -> Views.RateView.of(r, Instant.now()));
    }

    @GET
    @RateLimited("rates-read")
    public Uni<Views.RateListView> all(@QueryParam("base") String base) {
        String b = Requests.code("base", base == null ? "EUR" : base);
        return rates.rates(b).map(list -> {
            Instant now = Instant.now();
            List<Views.RateView> views = list.rates().stream().map(r -> Views.RateView.of(r, now)).toList();
            return new Views.RateListView(list.base(), views.size(), views);
        });
    }

    @POST
    @Path("/conversions")
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("rates-read")
    public Uni<Views.ConversionView> convert(@Valid @NotNull Requests.ConversionRequest body) {
        String from = Requests.code("from", body.from());
        String to = Requests.code("to", body.to());
        var amount = Requests.decimal("amount", body.amount(), false);
        return rates.convert(from, to, amount).map(c -> Views.ConversionView.of(c, Instant.now()));
    }

    @GET
    @Path("/{base}/{quote}/history")
    @RateLimited("rates-history")
    public Uni<Views.HistoryPage> history(@PathParam("base") String base, @PathParam("quote") String quote,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        String b = Requests.code("base", base);
        String q = Requests.code("quote", quote);
        RatesConfig.History limits = config.history();
        Instant now = Instant.now();
        Instant end = to == null ? now : instant("to", to);
        // bounded so that one request never scans more than max-span of history (or asks for years no one has);
        // `to` is checked before any arithmetic on it (Instant.parse accepts years up to ±1e9)
        if (end.isAfter(now.plus(limits.clockSkew()))) {
            throw ProblemException.invalidField("to", "must not be in the future");
        }
        if (!end.isAfter(limits.earliest())) {
            throw ProblemException.invalidField("to", "must be after " + limits.earliest());
        }
        Instant start;
        if (from == null) {
            Instant dflt = end.minus(limits.defaultSpan());
            start = dflt.isBefore(limits.earliest()) ? limits.earliest() : dflt;
        } else {
            start = instant("from", from);
        }
        if (start.isBefore(limits.earliest())) {
            throw ProblemException.invalidField("from", "must not be before " + limits.earliest());
        }
        if (!start.isBefore(end)) {
            throw ProblemException.invalidField("from", "must be before to");
        }
        if (Duration.between(start, end).compareTo(limits.maxSpan()) > 0) {
            throw ProblemException.invalidField("from",
                    "from..to must not span more than " + limits.maxSpan().toDays() + " days");
        }
        int s = Requests.integer("size", size, 50, 1, limits.maxPageSize());
        int p = Requests.integer("page", page, 0, 0, limits.maxOffset());
        // in long: page × size must not wrap around into a negative offset
        if ((long) p * s > limits.maxOffset()) {
            throw ProblemException.invalidField("page", "page × size must not exceed " + limits.maxOffset());
        }
        return rates.history(b, q, start, end, p, s).map((HistoryRepository.Slice slice) -> new Views.HistoryPage(
                b, q, start, end, p, s, slice.total(), slice.items().stream().map(Views.HistoryItem::of).toList()));
    }

    /** Sets a pair by hand; it wins over provider data until it expires. Audited in history (provider manual). */
    @PUT
    @Path("/{base}/{quote}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @RateLimited("rates-admin")
    public Uni<Views.RateView> override(@PathParam("base") String base, @PathParam("quote") String quote,
            @Valid @NotNull Requests.OverrideRequest body) {
        String b = Requests.code("base", base);
        String q = Requests.code("quote", quote);
        if (b.equals(q)) {
            throw ProblemException.invalidField("quote", "must differ from base");
        }
        var rate = Requests.decimal("rate", body.rate(), true);
        Duration validity = config.overrideValidity();
        Long seconds = Requests.wholeNumber("validForSeconds", body.validForSeconds(), 1, MAX_OVERRIDE.toSeconds());
        if (seconds != null) {
            validity = Duration.ofSeconds(seconds);
        }
        Duration v = validity;
        String actor = Caller.of(identity).userId();
        return rates.currency("base", b).chain(() -> rates.currency("quote", q))
                .chain(() -> refresher.override(b, q, rate, v, actor))
                .chain(() -> rates.rate(b, q))
                .map(r -> Views.RateView.of(r, Instant.now()));
    }

    /** Fetches every enabled provider now, regardless of their schedule; audited in history (trigger manual). */
    @POST
    @Path("/refreshes")
    @RolesAllowed("admin")
    @RateLimited({"rates-admin", "rates-refresh"})
    public Uni<RefreshService.RefreshReport> refresh() {
        return refresher.forced(Caller.of(identity).userId());
    }

    private static Instant instant(String field, String raw) {
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidField(field, "must be an ISO-8601 instant like 2025-01-31T00:00:00Z");
        }
    }
}
