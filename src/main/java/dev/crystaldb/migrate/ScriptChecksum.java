package dev.crystaldb.migrate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The checksum Flyway records for an SQL script: CRC32 over its lines without line ends, UTF-8,
 * byte-order mark dropped. Computed here so that reading the state of a database never has to
 * start Flyway; MigrationEngineTest pins it to Flyway's own value.
 */
public final class ScriptChecksum {
    private ScriptChecksum() {
    }

    public static int of(String sql) {
        CRC32 crc = new CRC32();
        try (BufferedReader reader = new BufferedReader(new StringReader(sql))) {
            String line = reader.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            while (line != null) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
                line = reader.readLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
        return (int) crc.getValue();
    }
}
