package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FROM:TO of `upgrade FROM:TO --dry-run` and `downgrade FROM:TO --dry-run` (Alembic's offline
 * `upgrade a:b --sql`): the scripts that take a database at FROM to TO, worked out from the
 * migration set alone, without a database. FROM and TO are versions, or base and head.
 */
public record MigrationRange(Optional<Version> from, Optional<Version> to, List<MigrationScript> scripts) {

    /** Whether an argument is a range rather than a single target. */
    public static boolean isRange(String target) {
        return target != null && target.contains(":");
    }

    /** The forward scripts after FROM up to and including TO, oldest first. */
    public static MigrationRange upgrade(MigrationSet migrations, String range) {
        Ends ends = ends(migrations, range, "upgrade");
        Optional<Version> from = ends.from();
        Optional<Version> to = ends.to();
        if (to.isEmpty() || from.isPresent() && from.get().compareTo(to.get()) >= 0) {
            throw CrystalDbException.usage("upgrade " + range + ": FROM must be below TO (" + label(from) + " is not below " + label(to)
                    + "); to go back, use downgrade " + label(from) + ":" + label(to) + " --dry-run");
        }
        List<MigrationScript> scripts = new ArrayList<>();
        for (MigrationFile forward : migrations.forwards()) {
            if (after(forward.version(), from) && forward.version().compareTo(to.get()) <= 0) {
                scripts.add(migrations.script(forward).requireRunnable());
            }
        }
        return new MigrationRange(from, to, List.copyOf(scripts));
    }

    /** The undo scripts of the migrations after TO up to and including FROM, newest first; refuses a missing undo, naming it. */
    public static MigrationRange downgrade(MigrationSet migrations, String range) {
        Ends ends = ends(migrations, range, "downgrade");
        Optional<Version> from = ends.from();
        Optional<Version> to = ends.to();
        if (from.isEmpty() || to.isPresent() && to.get().compareTo(from.get()) >= 0) {
            throw CrystalDbException.usage("downgrade " + range + ": FROM must be above TO (" + label(from) + " is not above " + label(to)
                    + "); to go forward, use upgrade " + label(from) + ":" + label(to) + " --dry-run");
        }
        List<MigrationScript> scripts = new ArrayList<>();
        List<MigrationFile> forwards = migrations.forwards();
        for (int i = forwards.size() - 1; i >= 0; i--) {
            MigrationFile forward = forwards.get(i);
            if (forward.version().compareTo(from.get()) <= 0 && after(forward.version(), to)) {
                MigrationFile undo = migrations.undo(forward.version()).orElseThrow(() -> CrystalDbException.usage("no undo script for version "
                        + forward.version() + ": add U" + forward.fileName().substring(1) + " to " + migrations.origin()));
                scripts.add(migrations.script(undo).requireRunnable());
            }
        }
        return new MigrationRange(from, to, List.copyOf(scripts));
    }

    private record Ends(Optional<Version> from, Optional<Version> to) {
    }

    private static Ends ends(MigrationSet migrations, String range, String command) {
        String[] parts = range.split(":", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw CrystalDbException.usage(command + " " + range + ": write the range as FROM:TO, each a version, base or head (e.g. 3:5, base:head)");
        }
        return new Ends(end(migrations, parts[0].trim()), end(migrations, parts[1].trim()));
    }

    private static Optional<Version> end(MigrationSet migrations, String text) {
        if (text.equalsIgnoreCase("base")) {
            return Optional.empty();
        }
        return Optional.of(text.equalsIgnoreCase("head") ? migrations.requireHead() : migrations.knownVersion(text));
    }

    private static boolean after(Version version, Optional<Version> bound) {
        return bound.isEmpty() || version.compareTo(bound.get()) > 0;
    }

    private static String label(Optional<Version> version) {
        return version.map(Version::toString).orElse("base");
    }
}
