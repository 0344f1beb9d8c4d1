// Jar chores for build-bundle.sh, done in one JVM (run as a source file: java BundleTool.java ...).
// Not part of the application.
//
//   unpack-classes DIR JAR...        every .class of the JARs into DIR, module-info.class left out
//                                    (jdeps cannot analyse the modular jars of a class-path app as
//                                    modules: some of their `requires` are absent on purpose)
//   extract JAR ENTRY FILE           one entry of JAR written to FILE
//   trim-jar JAR PREFIX KEEP         deletes the entries of JAR under PREFIX, except those under KEEP
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

public class BundleTool {
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            usage();
        }
        switch (args[0]) {
            case "unpack-classes" -> {
                if (args.length < 3) {
                    usage();
                }
                Path dir = Path.of(args[1]);
                for (int i = 2; i < args.length; i++) {
                    unpackClasses(Path.of(args[i]), dir);
                }
            }
            case "extract" -> {
                if (args.length != 4) {
                    usage();
                }
                extract(Path.of(args[1]), args[2], Path.of(args[3]));
            }
            case "trim-jar" -> {
                if (args.length != 4) {
                    usage();
                }
                trimJar(Path.of(args[1]), args[2], args[3]);
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: BundleTool unpack-classes DIR JAR... | extract JAR ENTRY FILE | trim-jar JAR PREFIX KEEP");
        System.exit(2);
    }

    private static void unpackClasses(Path jar, Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.endsWith(".class") || name.endsWith("module-info.class")) {
                    continue;
                }
                Path target = dir.resolve(name).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException(jar + ": entry " + name + " points outside the directory");
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void extract(Path jar, String entryName, Path file) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                throw new IOException(jar + " has no entry " + entryName);
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void trimJar(Path jar, String prefix, String keep) throws IOException {
        try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            Path root = fs.getPath("/" + prefix);
            Path kept = fs.getPath("/" + keep);
            if (!Files.isDirectory(kept)) {
                throw new IOException(jar + " has no " + keep);
            }
            List<Path> doomed;
            try (Stream<Path> all = Files.walk(root)) {
                // neither inside the kept tree nor one of its parent directories
                doomed = all.filter(p -> !p.startsWith(kept) && !kept.startsWith(p))
                        .sorted(Comparator.reverseOrder())
                        .toList();
            }
            for (Path p : doomed) {
                Files.delete(p);
            }
        }
    }
}
