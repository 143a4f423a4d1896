package dev.strata.storage.domain;

import java.time.Instant;
import java.util.List;

/**
 * One page of a listing in key order. {@code nextStartAfter} is the last key when the page is full (pass it as
 * {@code startAfter} for the next page), else null.
 */
public record ObjectPage(List<Item> items, String nextStartAfter) {

    public record Item(String key, long size, Instant lastModified) {
    }
}
