package dev.strata.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Small files with real signatures. */
final class Files {

    private Files() {
    }

    static byte[] png(int size) {
        byte[] b = filler(size);
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    static byte[] pdf(int size) {
        byte[] b = filler(size);
        byte[] magic = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    static byte[] html(int size) {
        byte[] b = filler(size);
        byte[] magic = "<html><script>alert(1)</script>".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    private static byte[] filler(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
