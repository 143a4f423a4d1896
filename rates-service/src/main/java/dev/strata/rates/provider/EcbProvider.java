package dev.strata.rates.provider;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import jakarta.enterprise.context.ApplicationScoped;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import io.smallrye.mutiny.Uni;

import dev.strata.rates.config.RatesConfig;
import dev.strata.rates.domain.RateSnapshot;

/**
 * The ECB euro foreign exchange reference rates ({@code eurofxref-daily.xml}): base EUR, one {@code Cube time=}
 * per publication, {@code Cube currency= rate=} per quote. The rates are published around 16:00 CET for the
 * given day, which is taken as their effective time. No next-update time is given.
 */
@ApplicationScoped
public class EcbProvider implements RateProvider {

    public static final String NAME = "ecb";
    private static final ZoneId FRANKFURT = ZoneId.of("Europe/Berlin");

    private final FeedFetcher fetcher;
    private final RatesConfig.Ecb config;

    public EcbProvider(FeedFetcher fetcher, RatesConfig config) {
        this.fetcher = fetcher;
        this.config = config.providers().ecb();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public Uni<RateSnapshot> fetch() {
        return fetcher.get(config.url(), "application/xml, text/xml").map(EcbProvider::parse);
    }

    public static RateSnapshot parse(String xml) {
        Document doc;
        try {
            doc = secureBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new FeedException("garbage", "not a well-formed ECB document: " + e.getMessage());
        }
        Element day = null;
        NodeList cubes = doc.getElementsByTagNameNS("*", "Cube");
        for (int i = 0; i < cubes.getLength(); i++) {
            Element c = (Element) cubes.item(i);
            if (c.hasAttribute("time")) {
                if (day != null) {
                    throw Feeds.garbage("more than one publication day in a daily feed");
                }
                day = c;
            }
        }
        if (day == null) {
            throw Feeds.garbage("no Cube time= element");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(day.getAttribute("time"));
        } catch (DateTimeParseException e) {
            throw Feeds.garbage("bad Cube time: " + day.getAttribute("time"));
        }
        Instant effective = date.atTime(LocalTime.of(16, 0)).atZone(FRANKFURT).toInstant();
        Feeds.checkTime(effective);
        Map<String, BigDecimal> rates = new LinkedHashMap<>();
        for (Node n = day.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element e)) {
                continue;
            }
            if (!"Cube".equals(e.getLocalName()) || !e.hasAttribute("currency") || !e.hasAttribute("rate")) {
                throw Feeds.garbage("unexpected element in a publication: " + e.getTagName());
            }
            BigDecimal value;
            try {
                value = new BigDecimal(e.getAttribute("rate").trim());
            } catch (NumberFormatException ex) {
                throw Feeds.garbage("rate is not a number: " + e.getAttribute("rate"));
            }
            Feeds.put(rates, "EUR", e.getAttribute("currency").trim(), value);
        }
        if (rates.isEmpty()) {
            throw Feeds.garbage("publication without rates");
        }
        return new RateSnapshot(NAME, "EUR", effective, null, Map.copyOf(rates));
    }

    /** No DTDs, no external entities, no XInclude: the feed is data, never a reference to other data. */
    private static DocumentBuilder secureBuilder() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // fail, never print to stderr
        return b;
    }
}
