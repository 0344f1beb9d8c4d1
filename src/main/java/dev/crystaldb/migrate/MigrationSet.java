package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The migrations crystal-db knows: the set bundled in the executable (one appended by `crystal-db
 * bundle`, else the one built in, see {@link BuildResources}) or the .sql files of a directory.
 */
public final class MigrationSet {
    /** Where a set comes from: built into the executable, appended to it by `bundle`, or a directory. */
    public enum Source { BUILT_IN, APPENDED, DIRECTORY }

    private final Source source;
    private final String name;
    private final String origin;
    private final List<MigrationFile> files;
    private final List<MigrationFile> forwards;
    private final Map<Version, MigrationFile> undos;
    private final List<String> problems;
    /** Each file split and checked once per run, however many steps (checksums, plan, Flyway, timeline) read it. */
    private final Map<MigrationFile, MigrationScript> scripts = new ConcurrentHashMap<>();
    /** Computed once: every command names the set on its first line, and status and --json again. */
    private volatile String sha256;

    private MigrationSet(Source source, String name, String origin, List<MigrationFile> files, List<String> problems) {
        this.source = source;
        this.name = name;
        this.origin = origin;
        this.files = files.stream().sorted(Comparator.comparing(MigrationFile::fileName)).toList();
        this.problems = new ArrayList<>(problems);
        Map<Version, MigrationFile> forwardByVersion = new HashMap<>();
        Map<Version, MigrationFile> undoByVersion = new HashMap<>();
        for (MigrationFile file : files) {
            Map<Version, MigrationFile> target = file.kind() == MigrationFile.Kind.FORWARD ? forwardByVersion : undoByVersion;
            MigrationFile previous = target.putIfAbsent(file.version(), file);
            if (previous != null) {
                this.problems.add(previous.fileName() + " and " + file.fileName() + " have the same version "
                        + file.version() + ": renumber one of them");
            }
        }
        for (MigrationFile undo : undoByVersion.values()) {
            if (!forwardByVersion.containsKey(undo.version())) {
                this.problems.add(undo.fileName() + " undoes version " + undo.version()
                        + " but there is no V" + undo.version() + "__*.sql: rename or remove it");
            }
        }
        this.forwards = forwardByVersion.values().stream().sorted(Comparator.comparing(MigrationFile::version)).toList();
        this.undos = Map.copyOf(undoByVersion);
    }

    /** The set this executable carries: the one `crystal-db bundle` appended to it, else the one built in. */
    public static MigrationSet bundled() {
        return RunningExecutable.appendedSet().orElseGet(MigrationSet::builtIn);
    }

    /** The set built into this executable from the project's migrations/ directory. */
    public static MigrationSet builtIn() {
        List<MigrationFile> files = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        BuildResources.MIGRATIONS.forEach((fileName, sql) -> add(files, problems, fileName, sql));
        String name = BuildResources.MIGRATIONS_NAME;
        return new MigrationSet(Source.BUILT_IN, name, "built-in \"" + name + "\"", files, problems);
    }

    /** A set read back from the archive `bundle` appended: its name and its files by name. */
    static MigrationSet appended(String name, Map<String, String> sqlByFileName) {
        List<MigrationFile> files = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        sqlByFileName.forEach((fileName, sql) -> add(files, problems, fileName, sql));
        return new MigrationSet(Source.APPENDED, name, "bundled \"" + name + "\"", files, problems);
    }

    /** The .sql files of a directory; other files are ignored. */
    public static MigrationSet fromDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw CrystalDbException.usage("migrations directory " + directory + " does not exist: check --migrations / CRYSTAL_DB_MIGRATIONS");
        }
        List<MigrationFile> files = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path path : entries.sorted().toList()) {
                String name = path.getFileName().toString();
                if (name.endsWith(".sql") && Files.isRegularFile(path)) {
                    add(files, problems, name, readUtf8(path));
                }
            }
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read migrations directory " + directory + ": " + e.getMessage());
        }
        Path absolute = directory.toAbsolutePath().normalize();
        String name = absolute.getFileName() == null ? absolute.toString() : absolute.getFileName().toString();
        return new MigrationSet(Source.DIRECTORY, name, absolute.toString(), files, problems);
    }

    /** A migration's text; one that is not UTF-8 is refused naming the file and line, not with the decoder's "Input length = 1". */
    private static String readUtf8(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        CharBuffer text = CharBuffer.allocate(bytes.remaining());
        CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(bytes, text, true);
        if (result.isError()) {
            int bad = bytes.position();
            int line = 1;
            for (int i = 0; i < bad; i++) {
                line += bytes.get(i) == '\n' ? 1 : 0;
            }
            throw CrystalDbException.usage(file + " is not UTF-8 text (line " + line + ", byte " + (bad + 1)
                    + "): save it as UTF-8 (your editor's encoding menu, or iconv -f latin1 -t utf-8)");
        }
        return text.flip().toString();
    }

    private static void add(List<MigrationFile> files, List<String> problems, String name, String sql) {
        MigrationFile file = MigrationFile.parse(name, sql);
        if (file == null) {
            problems.add(name + " is not a migration name: use V<version>__<description>.sql or U<version>__<description>.sql");
        } else {
            files.add(file);
        }
    }

    /** Refuses (exit 2) a set with misnamed, duplicate or orphaned files, naming the first one. */
    public MigrationSet requireValid() {
        if (!problems.isEmpty()) {
            throw CrystalDbException.usage("migration set " + origin + ": " + problems.get(0));
        }
        return this;
    }

    /** The prepared script of one of this set's files. */
    public MigrationScript script(MigrationFile file) {
        return scripts.computeIfAbsent(file, MigrationScript::prepare);
    }

    /** Where the set is, as messages name it: built-in "NAME", bundled "NAME", or the directory's path. */
    public String origin() {
        return origin;
    }

    public Source source() {
        return source;
    }

    /** The set's name: given to `bundle --name`, else the directory's name. */
    public String name() {
        return name;
    }

    /** Every file of the set, forward and undo, by file name. */
    public List<MigrationFile> files() {
        return files;
    }

    /**
     * SHA-256 (hex) of the set's files, their names and texts in name order: the same files give the
     * same checksum whether built in, bundled or in a directory, whatever the set is called.
     */
    public String sha256() {
        String known = sha256;
        if (known == null) {
            known = digestOfFiles();
            sha256 = known;
        }
        return known;
    }

    private String digestOfFiles() {
        MessageDigest digest = sha256Digest();
        for (MigrationFile file : files) {
            byte[] fileName = file.fileName().getBytes(StandardCharsets.UTF_8);
            byte[] sql = file.sql().getBytes(StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(8).putInt(fileName.length).putInt(sql.length).array());
            digest.update(fileName);
            digest.update(sql);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** "head 7, 7 migrations (sha 3f2a1b0c)": what --version, status and each command's first line say of the set. */
    public String summary() {
        return "head " + head().map(Version::toString).orElse("none") + ", " + forwards.size() + " migration" + (forwards.size() == 1 ? "" : "s")
                + " (sha " + sha256().substring(0, 8) + ")";
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public List<MigrationFile> forwards() {
        return forwards;
    }

    public Optional<MigrationFile> forward(Version version) {
        return forwards.stream().filter(f -> f.version().equals(version)).findFirst();
    }

    /** The forward migration whose `-- alembic-revision:` header names revision. */
    public Optional<MigrationFile> forAlembicRevision(String revision) {
        return forwards.stream().filter(f -> f.alembicRevision().map(revision::equals).orElse(false)).findFirst();
    }

    public Optional<MigrationFile> undo(Version version) {
        return Optional.ofNullable(undos.get(version));
    }

    /** The newest version; refuses (exit 2) a set without forward scripts. */
    public Version requireHead() {
        return head().orElseThrow(() -> CrystalDbException.usage("migration set " + origin + " has no V<version>__*.sql files"));
    }

    /**
     * The version of this set that text names: a version, or the Alembic revision id a file's
     * `-- alembic-revision:` header carries (as Alembic, a unique prefix of at least four
     * characters will do); refuses (exit 2) one the set does not have.
     */
    public Version knownVersion(String text) {
        Version version = Version.parseOrNull(text);
        if (version != null && forward(version).isPresent()) {
            return version;
        }
        Optional<MigrationFile> exact = forAlembicRevision(text);
        if (exact.isPresent()) {
            return exact.get().version();
        }
        List<MigrationFile> prefixed = text.length() < 4 ? List.of()
                : forwards.stream().filter(f -> f.alembicRevision().map(r -> r.startsWith(text)).orElse(false)).toList();
        if (prefixed.size() > 1) {
            throw CrystalDbException.usage("revision '" + text + "' is ambiguous: " + String.join(", ", prefixed.stream()
                    .map(f -> f.alembicRevision().get() + " (version " + f.version() + ")").toList()) + " start with it; type more of it");
        }
        if (prefixed.size() == 1) {
            return prefixed.get(0).version();
        }
        boolean revisions = forwards.stream().anyMatch(f -> f.alembicRevision().isPresent());
        throw CrystalDbException.usage("unknown version '" + text + "': `crystal-db history` lists the versions in " + origin
                + (revisions ? " (and their files' `-- alembic-revision:` headers the Alembic revision ids)" : ""));
    }

    public Optional<Version> head() {
        return forwards.isEmpty() ? Optional.empty() : Optional.of(forwards.get(forwards.size() - 1).version());
    }
}
