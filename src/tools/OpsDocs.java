import dev.crystaldb.cli.CommandLineSetup;
import dev.crystaldb.cli.VersionInfo;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build-time generator for the ops files that come from the command definitions (see the
 * "ops-docs" execution in pom.xml, which runs this file with `java SOURCE-FILE`, so it is never
 * compiled into the application and picocli-codegen stays out of its runtime classpath).
 *
 * <pre>java -cp CLASSPATH src/tools/OpsDocs.java DIST_SHARE_DIR MAN_ADOC_DIR</pre>
 *
 * writes DIST_SHARE_DIR/bash-completion/crystal-db (picocli's bash completion script) and one
 * AsciiDoc man page per command into MAN_ADOC_DIR (crystal-db.adoc, crystal-db-upgrade.adoc, ...),
 * then turns those into roff with asciidoctor's manpage backend: DIST_SHARE_DIR/man/man1/*.1.
 */
public class OpsDocs {
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: OpsDocs DIST_SHARE_DIR MAN_ADOC_DIR");
            System.exit(2);
        }
        Path share = Path.of(args[0]);
        Path manAdoc = Path.of(args[1]);

        CommandLine commandLine = CommandLineSetup.complete(CommandLine.defaultFactory());
        // The real version provider loads SQLite to print its version; the man page needs only ours.
        String version = VersionInfo.toolVersion();
        commandLine.getCommandSpec().versionProvider(() -> new String[]{"crystal-db " + version});

        Path completion = share.resolve("bash-completion").resolve("crystal-db");
        Files.createDirectories(completion.getParent());
        Files.writeString(completion, AutoComplete.bash("crystal-db", commandLine), StandardCharsets.UTF_8);

        Files.createDirectories(manAdoc);
        try (Stream<Path> old = Files.list(manAdoc)) {
            for (Path file : old.filter(p -> p.toString().endsWith(".adoc")).toList()) {
                Files.delete(file);
            }
        }
        int status = ManPageGenerator.generateManPage(manAdoc.toFile(), null, new boolean[0], true, commandLine.getCommandSpec());
        if (status != 0) {
            throw new IOException("picocli's ManPageGenerator failed with status " + status);
        }
        List<Path> pages;
        try (Stream<Path> generated = Files.list(manAdoc)) {
            pages = generated.filter(p -> p.toString().endsWith(".adoc")).sorted().toList();
        }
        for (Path page : pages) {
            // picocli capitalizes the first letter of the command name ("Crystal-db Manual")
            String text = Files.readString(page, StandardCharsets.UTF_8)
                    .replace(":manmanual: Crystal-db Manual", ":manmanual: crystal-db Manual");
            Files.writeString(page, text, StandardCharsets.UTF_8);
        }

        Path man1 = share.resolve("man").resolve("man1");
        Files.createDirectories(man1);
        try (Stream<Path> old = Files.list(man1)) {
            for (Path file : old.filter(p -> p.toString().endsWith(".1")).toList()) {
                Files.delete(file);
            }
        }
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            for (Path page : pages) {
                // the manpage backend names the output after the page: crystal-db-upgrade.adoc -> crystal-db-upgrade.1
                asciidoctor.convertFile(page.toFile(), Options.builder()
                        .backend("manpage").toDir(man1.toFile()).safe(SafeMode.UNSAFE).build());
            }
        }
        try (Stream<Path> written = Files.list(man1)) {
            long count = written.filter(p -> p.toString().endsWith(".1")).count();
            if (count != pages.size()) {
                throw new IOException("asciidoctor wrote " + count + " man pages for " + pages.size() + " sources in " + man1);
            }
        }
        System.out.println("ops-docs: " + completion + ", " + pages.size() + " man pages in " + man1);
    }
}
