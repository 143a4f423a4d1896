package dev.strata.platform.db;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A stable, parameter-free name for a SQL statement: {@code <verb> <table> <hash>}, e.g.
 * {@code select rates.exchange_rates 1f2e3d4c}. Every literal and bind marker is replaced by {@code ?} before
 * anything is derived from the text, so neither the name nor the {@link #normalize normalized text} can carry a
 * value; lists of markers collapse to one, so an {@code IN ($1, …, $n)} of any length has one name.
 */
public final class StatementNames {

    private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern LINE_COMMENT = Pattern.compile("--[^\\n]*");
    // 'it''s', E'\n' and dollar-quoted bodies ($$…$$, $tag$…$tag$)
    private static final Pattern STRING = Pattern.compile("(?:(?<!\\w)[eE])?'(?:[^'\\\\]|''|\\\\.)*'");
    private static final Pattern DOLLAR_QUOTED = Pattern.compile("\\$([A-Za-z_]*)\\$.*?\\$\\1\\$", Pattern.DOTALL);
    private static final Pattern BIND_MARKER = Pattern.compile("\\$\\d+|\\?");
    // a number not glued to an identifier (se1_0 stays as it is)
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])[-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?(?![\\w])");
    private static final Pattern MARKER_LIST = Pattern.compile("\\?(?:\\s*,\\s*\\?)+");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    // "a = ?" and "a=?" are one statement
    private static final Pattern PUNCTUATION = Pattern.compile(" ?([=<>!,()+/|;-]) ?");
    private static final Pattern VERB = Pattern.compile("^\\(?\\s*([a-z]+)");
    private static final Pattern FROM = Pattern.compile("\\bfrom\\s+([a-z_][a-z0-9_.\"]*)");
    private static final Pattern INTO = Pattern.compile("\\binto\\s+([a-z_][a-z0-9_.\"]*)");
    private static final Pattern UPDATE = Pattern.compile("^update\\s+(?:only\\s+)?([a-z_][a-z0-9_.\"]*)");
    private static final Pattern CALLED = Pattern.compile("^select\\s+([a-z_][a-z0-9_.]*)");

    private StatementNames() {
    }

    /** Lower-case text with comments dropped, every literal and marker a {@code ?}, whitespace collapsed. */
    public static String normalize(String sql) {
        String s = sql == null ? "" : sql;
        s = BLOCK_COMMENT.matcher(s).replaceAll(" ");
        s = LINE_COMMENT.matcher(s).replaceAll(" ");
        s = DOLLAR_QUOTED.matcher(s).replaceAll("?");
        s = STRING.matcher(s).replaceAll("?");
        s = BIND_MARKER.matcher(s).replaceAll("?");
        s = NUMBER.matcher(s).replaceAll("?");
        s = MARKER_LIST.matcher(s).replaceAll("?");
        s = SPACE.matcher(s).replaceAll(" ").trim();
        return PUNCTUATION.matcher(s).replaceAll("$1").toLowerCase(Locale.ROOT);
    }

    public static String nameOf(String sql) {
        String text = normalize(sql);
        String verb = first(VERB, text, "statement");
        String target = switch (verb) {
            case "select", "with" -> {
                String from = first(FROM, text, null);
                yield from != null ? from : first(CALLED, text, "-");
            }
            case "delete" -> first(FROM, text, "-");
            case "insert" -> first(INTO, text, "-");
            case "update" -> first(UPDATE, text, "-");
            default -> "-";
        };
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return verb + " " + target.replace("\"", "") + " " + String.format("%08x", crc.getValue());
    }

    private static String first(Pattern pattern, String text, String otherwise) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return otherwise;
        }
        String found = m.group(1);
        return found.length() > 64 ? found.substring(0, 64) : found;
    }
}
