import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import nativebuild.DriverOptions;
import nativebuild.Failure;
import nativebuild.GlibcVersions;
import nativebuild.JvmStubCheck;

/**
 * Builds target/crystal-db as a native executable from what Quarkus's {@code quarkus.native.sources-only}
 * left in target/native-sources: {@code native-image.args} (the one native configuration) and the runner
 * jar with its libraries. Run by the {@code native} Maven profile on a JDK 25 as a source file; see
 * native/README.md.
 *
 * <p>Two toolchains take the same arguments. Where a GraalVM or Mandrel is installed ({@code GRAALVM_HOME},
 * else {@code native-image} on the PATH) its {@code native-image} builds the mostly-static executable.
 * Elsewhere the image builder of Maven Central's {@code org.graalvm.nativeimage:svm} jars runs on the JDK 25
 * itself: this program does what the {@code native-image} driver would (option translation, the builder's
 * JVM), compiles crystal-db's C support library (native/libjvm, what a GraalVM distribution ships as
 * compiled C libraries), stops the builder at the object file and links that with the JDK's own shared
 * libraries, libjvm.so and SQLite's library embedded in the executable (native/c/chelper/embedded.c loads
 * them from memory at start): target/crystal-db is the one file to ship.
 */
public final class NativeImageBuild {
    /** The JDK's native libraries the image calls into (file I/O, NIO, sockets for InetAddress, zip, extended socket options). */
    private static final List<String> JDK_LIBRARIES = List.of("java", "nio", "net", "zip", "extnet");
    /**
     * The libraries embedded in the executable, in the order they are loaded at start: each one's dependencies
     * (DT_NEEDED, checked at build time) before it, so that they resolve to the loaded copy by its soname.
     * SQLite's comes last and is only written to a memory file, for sqlite-jdbc to load.
     */
    private static final List<String> EMBEDDED_LIBRARIES = List.of("libjvm.so", "libjava.so", "libnet.so", "libnio.so",
            "libzip.so", "libextnet.so", "libsqlitejdbc.so");
    private static final String SQLITE_LIBRARY = "libsqlitejdbc.so";
    /** crystal-db's C sources, under native/c: chelper/ is linked into the executable, jvm/ becomes libjvm.so (embedded). */
    private static final String C_SOURCES = "c";
    /** Which struct the builder asks for per architecture: the @CStruct CPUFeatures of each LibCHelper, as a header. */
    private static final List<String[]> CPU_FEATURE_HEADERS = List.of(
            new String[]{"amd64cpufeatures.h", "com/oracle/svm/core/amd64/AMD64LibCHelper$CPUFeatures.class"},
            new String[]{"aarch64cpufeatures.h", "com/oracle/svm/core/aarch64/AArch64LibCHelper$CPUFeatures.class"},
            new String[]{"riscv64cpufeatures.h", "com/oracle/svm/core/riscv64/RISCV64LibCHelper$CPUFeatures.class"});

    /** The configuration files of META-INF/native-image/ and the builder option that takes each as a resource. */
    private static final Map<String, String> CONFIGURATION_FILES = Map.of(
            "reflect-config.json", "ReflectionConfigurationResources",
            "resource-config.json", "ResourceConfigurationResources",
            "jni-config.json", "JNIConfigurationResources",
            "proxy-config.json", "DynamicProxyConfigurationResources",
            "serialization-config.json", "SerializationConfigurationResources",
            "predefined-classes-config.json", "PredefinedClassesConfigurationResources",
            "reachability-metadata.json", "ReachabilityMetadataResources");

    /** The oldest glibc the executable and its libjvm.so run on (the JDK's libraries need 2.15, SQLite's 2.3). */
    private static final String GLIBC_FLOOR = "2.17";
    /** glibc functions younger than the floor that have no older version, and what native/c/chelper/glibc.c offers instead. */
    private static final Map<String, String> GLIBC_REPLACEMENTS = Map.of("fstat", "crystaldb_fstat");
    /** Where glibc's functions are defined, by library; their versions decide the bindings. */
    private static final List<String> GLIBC_LIBRARIES = List.of("libc.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libm.so.6");

    private final Path project;
    private final Path sources;
    private final Path target;
    private final Path jdk;
    private final List<Path> builderJars;
    private final String builderMemory;
    private final boolean relink;
    private final Path work;

    private NativeImageBuild(Path project, Path target, Path jdk, List<Path> builderJars, String builderMemory, boolean relink) {
        this.project = project;
        this.target = target;
        this.sources = target.resolve("native-sources");
        this.jdk = jdk;
        this.builderJars = builderJars;
        this.builderMemory = builderMemory;
        this.relink = relink;
        this.work = target.resolve("native-build");
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(".").toAbsolutePath().normalize();
        Path target = null;
        Path jdk = Path.of(System.getProperty("java.home"));
        String builderPath = "";
        String memory = "5g";
        boolean relink = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--project" -> project = Path.of(require(args[i], value)).toAbsolutePath();
                case "--target" -> target = Path.of(require(args[i], value)).toAbsolutePath();
                case "--jdk" -> jdk = Path.of(require(args[i], value)).toAbsolutePath();
                case "--builder-path" -> builderPath = require(args[i], value);
                case "--builder-memory" -> memory = require(args[i], value);
                case "--relink" -> {
                    relink = true;
                    continue;
                }
                default -> throw new Failure("unknown argument " + args[i]);
            }
            i++;
        }
        if (target == null) {
            target = project.resolve("target");
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : builderPath.split(":")) {
            // the Maven class path of this step: keep the image builder's artifacts (all of group org.graalvm.*)
            if (entry.endsWith(".jar") && entry.contains("/org/graalvm/")) {
                jars.add(Path.of(entry));
            }
        }
        try {
            new NativeImageBuild(project, target, jdk, jars, memory, relink).run();
        } catch (Failure e) {
            System.err.println("native: error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new Failure(option + " needs a value");
        }
        return value;
    }

    private void run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path argsFile = sources.resolve("native-image.args");
        if (!Files.isRegularFile(argsFile)) {
            throw new Failure(argsFile + " is missing: Quarkus did not prepare the native build (quarkus.native.sources-only)");
        }
        List<String> arguments = List.of(Files.readString(argsFile).trim().split("\\s+"));
        // the libraries the executable embeds, gathered here (sqlite-jdbc's feature exports its own here too,
        // -J-Dorg.sqlite.lib.exportPath); target/lib is where earlier builds put them beside the executable
        Path lib = work.resolve("lib");
        deleteRecursively(target.resolve("lib"));
        Optional<Path> graalvm = installedNativeImage();
        Path executable;
        if (graalvm.isPresent()) {
            Files.createDirectories(lib);
            say("building with " + graalvm.get() + " (GraalVM / Mandrel)");
            run(sources, List.of(), concat(List.of(graalvm.get().toString()), arguments));
            executable = sources.resolve(imageName(arguments));
        } else {
            if (builderJars.isEmpty()) {
                throw new Failure("no GraalVM (GRAALVM_HOME, native-image on the PATH) and no image builder jars were passed (--builder-path)");
            }
            executable = buildWithBuilderJars(arguments, lib);
        }
        Path installed = target.resolve("crystal-db");
        Files.copy(executable, installed, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(installed, PosixFilePermissions.fromString("rwxr-xr-x"));
        say(String.format("done in %d s: %s (%d KiB, its libraries inside)", (System.nanoTime() - started) / 1_000_000_000L,
                installed, Files.size(installed) / 1024));
    }

    // ------------------------------------------------------------------ GraalVM / Mandrel

    /** GRAALVM_HOME/bin/native-image, else native-image on the PATH. */
    private static Optional<Path> installedNativeImage() {
        String home = System.getenv("GRAALVM_HOME");
        if (home != null && !home.isBlank()) {
            Path tool = Path.of(home, "bin", "native-image");
            if (!Files.isExecutable(tool)) {
                throw new Failure("GRAALVM_HOME is " + home + " but " + tool + " is not executable: fix or unset GRAALVM_HOME");
            }
            return Optional.of(tool);
        }
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path tool = Path.of(directory.isEmpty() ? "." : directory, "native-image");
            if (Files.isExecutable(tool)) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    /** The image name is the driver's only positional argument (Quarkus: NAME -jar RUNNER.jar). */
    private static String imageName(List<String> arguments) {
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("-jar") || argument.equals("-cp")) {
                i++;
            } else if (!argument.startsWith("-") && !argument.startsWith("@")) {
                return argument;
            }
        }
        throw new Failure("native-image.args names no image");
    }

    // ------------------------------------------------------------------ the builder jars on the JDK

    private Path buildWithBuilderJars(List<String> arguments, Path lib) throws IOException, InterruptedException {
        say("building with the image builder jars " + builderVersion() + " on " + jdk + " (no GraalVM installed)");
        if (relink) {
            // development: the C library and the link again, on the object of the previous build
            Path include = work.resolve("clibraries/include");
            return linkImage(findObjectFile(work.resolve("tmp"), imageName(arguments)), include, lib);
        }
        deleteRecursively(work);
        Files.createDirectories(lib);
        Path include = work.resolve("clibraries/include");
        Files.createDirectories(include);
        writeCpuFeatureHeaders(include);
        Files.copy(cSources("chelper").resolve("svm_locale.h"), include.resolve("svm_locale.h"));

        BuilderCommand command = new BuilderCommand();
        command.translate(arguments, "native-image.args");
        for (Path entry : command.classPath) {
            command.readJarOptions(entry);
        }

        Path out = work.resolve("out");
        Files.createDirectories(out);
        List<String> builder = new ArrayList<>(command.hostedOptions);
        builder.addAll(List.of(
                "-H:Class=" + command.mainClass(),
                "-H:Name=" + command.imageName,
                "-H:Path=" + out,
                "-H:ImageBuildID=" + UUID.randomUUID(),
                "-H:CLibraryPath=" + include.getParent(),
                "-H:TempDirectory=" + work.resolve("tmp"),
                // the container-support library is part of a GraalVM distribution, not of the builder jars
                "-H:+UnlockExperimentalVMOptions", "-H:-UseContainerSupport",
                // this program links the object itself, against the JDK's shared libraries
                "-H:+ExitAfterRelocatableImageWrite",
                "-H:-UnlockExperimentalVMOptions"));
        Path builderArgs = work.resolve("builder.args");
        Files.write(builderArgs, builderJvm(command));
        Path builderJdk = builderJdk(include);
        List<String> launch = new ArrayList<>(List.of(builderJdk.resolve("bin/java").toString(), "@" + builderArgs,
                "-imagecp", join(command.classPath)));
        launch.addAll(builder);
        run(sources, List.of(), launch);

        return linkImage(findObjectFile(work.resolve("tmp"), command.imageName), include, lib);
    }

    private Path linkImage(Path object, Path include, Path lib) throws IOException, InterruptedException {
        Glibc glibc = new Glibc();
        glibc.pin(object);
        for (String name : JDK_LIBRARIES) {
            Files.copy(jdk.resolve("lib").resolve("lib" + name + ".so"), lib.resolve("lib" + name + ".so"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isRegularFile(lib.resolve(SQLITE_LIBRARY))) {
            throw new Failure(lib.resolve(SQLITE_LIBRARY) + " is missing: sqlite-jdbc's feature did not export its library"
                    + " (-J-Dorg.sqlite.lib.exportPath in quarkus.native.additional-build-args)");
        }
        Set<String> implemented = compileJvmLibrary(lib, glibc);
        requireReachableJvmFunctionsImplemented(object, lib, implemented);
        glibc.requireFloor(lib.resolve("libjvm.so"));
        Path chelper = compileChelper(include, glibc);
        Path embedded = embedLibraries(object, lib);
        Path executable = object.resolveSibling(object.getFileName().toString().replaceFirst("\\.o$", ""));
        link(object, chelper, embedded, executable);
        glibc.requireFloor(executable);
        return executable;
    }

    /**
     * The JDK as the builder's java.home, plus what the builder looks for there: its progress
     * reporter's helper library (native/c/reporterchelper) under lib/svm/builder/lib. Hard links
     * where the file system allows (no copy of 300 MB), else copies.
     */
    private Path builderJdk(Path include) throws IOException, InterruptedException {
        Path mirror = work.resolve("jdk");
        try (Stream<Path> walk = Files.walk(jdk)) {
            for (Path source : walk.toList()) {
                Path copy = mirror.resolve(jdk.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(copy);
                } else if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(source));
                } else {
                    try {
                        Files.createLink(copy, source);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        Path helper = mirror.resolve("lib/svm/builder/lib/libreporterchelper.so");
        Files.createDirectories(helper.getParent());
        List<String> command = compiler(include);
        command.addAll(List.of("-shared", "-o", helper.toString()));
        command.addAll(cSourceFiles(cSources("reporterchelper")));
        run(work, List.of(), command);
        return mirror;
    }

    private String builderVersion() {
        return builderJars.stream().map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("svm-") && !n.startsWith("svm-c")).map(n -> n.substring(4, n.length() - 4))
                .findFirst().orElseThrow(() -> new Failure("org.graalvm.nativeimage:svm is not among the builder jars"));
    }

    /** The builder's JVM: JVMCI on, the builder as a module, every concealed JDK package exported to it (as the driver does). */
    private List<String> builderJvm(BuilderCommand command) throws IOException {
        String version = builderVersion();
        List<String> jvm = new ArrayList<>(List.of(
                "-XX:+UseParallelGC", "-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "-XX:-UseJVMCICompiler",
                "-Xss10m", "-Xmx" + builderMemory, "-XX:+ExitOnOutOfMemoryError", "-Xshare:off",
                "-Djava.awt.headless=true",
                "-Dorg.graalvm.version=" + version,
                "-Dorg.graalvm.vendor=crystal-db",
                // Quarkus's build features read the builder's version from this string
                "-Dorg.graalvm.vendorversion=Mandrel-" + version + ".0-Final",
                "-Dcom.oracle.graalvm.isaot=true",
                "-Dorg.graalvm.nativeimage.imagecode=buildtime",
                "-Dsubstratevm.HostLibC=glibc",
                "-Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader",
                "-Djdk.internal.lambda.disableEagerInitialization=true",
                "-Dtruffle.TruffleRuntime=com.oracle.truffle.api.impl.DefaultTruffleRuntime",
                "-Dgraalvm.ForcePolyglotInvalid=true",
                "-Dgraalvm.locatorDisabled=true"));
        List<Path> modulePath = new ArrayList<>();
        Path compiler = null;
        Set<String> builderModules = new TreeSet<>();
        for (Path jar : builderJars) {
            String name = ModuleFinder.of(jar).findAll().stream().findFirst()
                    .map(reference -> reference.descriptor().name())
                    .orElseThrow(() -> new Failure(jar + " is not a module"));
            builderModules.add(name);
            if (name.equals("jdk.graal.compiler")) {
                compiler = jar; // replaces the JDK's empty, upgradeable jdk.graal.compiler
            } else {
                modulePath.add(jar);
            }
        }
        if (compiler == null) {
            throw new Failure("the builder jars hold no jdk.graal.compiler module");
        }
        String targets = String.join(",", builderModules);
        // the JDK's modules the builder's JVM resolves: its default ones (this JVM's too) and what the builder requires
        Set<String> resolved = new TreeSet<>();
        ModuleLayer.boot().modules().forEach(module -> resolved.add(module.getName()));
        List<Path> builderPath = new ArrayList<>(modulePath);
        builderPath.add(compiler);
        ModuleLayer.boot().configuration().resolve(ModuleFinder.of(builderPath.toArray(Path[]::new)), ModuleFinder.ofSystem(), builderModules)
                .modules().forEach(module -> resolved.add(module.name()));
        for (ModuleReference reference : ModuleFinder.ofSystem().findAll()) {
            ModuleDescriptor descriptor = reference.descriptor();
            if (!resolved.contains(descriptor.name())) {
                continue;
            }
            Set<String> exported = new TreeSet<>();
            descriptor.exports().stream().filter(e -> !e.isQualified()).forEach(e -> exported.add(e.source()));
            for (String pkg : new TreeSet<>(descriptor.packages())) {
                if (!exported.contains(pkg)) {
                    jvm.add("--add-exports=" + descriptor.name() + "/" + pkg + "=" + targets);
                }
            }
        }
        jvm.add("--enable-native-access=ALL-UNNAMED," + targets);
        jvm.addAll(command.builderJvmOptions);
        jvm.addAll(List.of("--add-modules=ALL-DEFAULT",
                "--upgrade-module-path", compiler.toString(),
                "--module-path", join(modulePath),
                "-Djdk.module.main=org.graalvm.nativeimage.builder",
                "--module", "org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner"));
        return jvm;
    }

    /** One header per architecture: a char per feature accessor of the builder's CPUFeatures struct. */
    private void writeCpuFeatureHeaders(Path include) throws IOException {
        Path svm = builderJars.stream().filter(p -> p.getFileName().toString().startsWith("svm-" + builderVersion()))
                .findFirst().orElseThrow();
        try (JarFile jar = new JarFile(svm.toFile())) {
            for (String[] header : CPU_FEATURE_HEADERS) {
                ZipEntry entry = jar.getEntry(header[1]);
                if (entry == null) {
                    throw new Failure(svm + " has no " + header[1]);
                }
                ClassModel model;
                try (InputStream in = jar.getInputStream(entry)) {
                    model = ClassFile.of().parse(in.readAllBytes());
                }
                StringBuilder text = new StringBuilder("/* generated by native/NativeImageBuild.java from " + header[1]
                        + " of " + svm.getFileName() + " */\ntypedef struct {\n");
                for (MethodModel method : model.methods()) {
                    String name = method.methodName().stringValue();
                    if (name.startsWith("f") && method.methodType().stringValue().equals("()Z")) {
                        text.append("  char ").append(name).append(";\n");
                    }
                }
                text.append("} CPUFeatures;\n");
                Files.writeString(include.resolve(header[0]), text);
            }
        }
    }

    private Path cSources(String part) {
        return project.resolve("native").resolve(C_SOURCES).resolve(part);
    }

    private List<String> cSourceFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.toString().endsWith(".c")).sorted().map(Path::toString).toList();
        }
    }

    private List<String> compiler(Path include) {
        return new ArrayList<>(List.of("gcc", "-std=gnu11", "-O2", "-fPIC", "-Wall", "-Wextra", "-Werror",
                "-I" + jdk.resolve("include"), "-I" + jdk.resolve("include/linux"), "-I" + include));
    }

    /** native/c/chelper as one relocatable object, linked into the executable. */
    private Path compileChelper(Path include, Glibc glibc) throws IOException, InterruptedException {
        Path object = work.resolve("chelper.o");
        List<String> command = compiler(include);
        command.addAll(List.of("-r", "-nostdlib", "-o", object.toString()));
        command.addAll(cSourceFiles(cSources("chelper")));
        run(work, List.of(), command);
        glibc.pin(object);
        return object;
    }

    /**
     * libjvm.so: the JVM functions the JDK's libraries import (they name libjvm.so as a dependency).
     * native/c/jvm implements those the image can reach; every other one they import gets a stub that
     * names itself and aborts, generated here from the libraries' own import lists.
     */
    private Set<String> compileJvmLibrary(Path lib, Glibc glibc) throws IOException, InterruptedException {
        Path sourceDir = cSources("jvm");
        List<String> sourcesList = cSourceFiles(sourceDir);
        Path implemented = work.resolve("jvm-implemented.o");
        List<String> first = compiler(work);
        first.addAll(List.of("-fvisibility=hidden", "-c", "-o", implemented.toString()));
        first.addAll(sourcesList);
        if (sourcesList.size() != 1) { // one translation unit: nm of its object lists what is implemented
            throw new Failure(sourceDir + " must hold exactly one .c file");
        }
        run(work, List.of(), first);
        Set<String> defined = symbols(List.of("nm", "--defined-only", "-g", implemented.toString()));
        List<String> imports = new ArrayList<>(List.of("nm", "-D", "--undefined-only"));
        for (String name : JDK_LIBRARIES) {
            imports.add(lib.resolve("lib" + name + ".so").toString());
        }
        Set<String> missing = JvmStubCheck.stubs(symbols(imports), defined);
        Path stubFile = work.resolve("jvm_unsupported.c");
        Files.writeString(stubFile, JvmStubCheck.stubSource(missing));
        Path stubObject = work.resolve("jvm_unsupported.o");
        List<String> compileStubs = compiler(work);
        compileStubs.addAll(List.of("-c", "-o", stubObject.toString(), stubFile.toString()));
        run(work, List.of(), compileStubs);
        glibc.pin(implemented);
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-Wl,-soname,libjvm.so",
                "-Wl,--version-script=" + sourceDir.resolve("libjvm.map"), "-Wl,-z,defs",
                "-o", lib.resolve("libjvm.so").toString(), implemented.toString(), stubObject.toString(),
                // where glibc older than 2.34 has dlopen and the threads (since 2.34 in libc itself)
                "-Wl,--no-as-needed", "-l:libdl.so.2", "-l:libpthread.so.0"));
        run(work, List.of(), command);
        say("libjvm.so: " + (defined.stream().filter(s -> s.startsWith("JVM_")).count()) + " JVM functions implemented, "
                + missing.size() + " aborting stubs");
        return defined;
    }

    /**
     * The proof that the aborting stubs are never called: the image enters the JDK's libraries only
     * through the functions its object file imports from them (the JNI methods it links,
     * InitializeEncoding) and their JNI_OnLoad (which libjvm.so's JNI_OnLoad_<name> runs). Following every
     * call, jump and address taken from those in the libraries' disassembly must reach only JVM functions
     * native/c/jvm implements (nativebuild.JvmStubCheck, with its canaries). Calls through function
     * pointers of the JNI environment go back into the image, not to libjvm.so.
     */
    private void requireReachableJvmFunctionsImplemented(Path object, Path lib, Set<String> implemented)
            throws IOException, InterruptedException {
        List<JvmStubCheck.Library> libraries = new ArrayList<>();
        for (String name : JDK_LIBRARIES) {
            Path file = lib.resolve("lib" + name + ".so");
            libraries.add(new JvmStubCheck.Library(file.getFileName().toString(), disassembledReferences(file),
                    symbols(List.of("nm", "-D", "--defined-only", file.toString()))));
        }
        JvmStubCheck.Checked checked = new JvmStubCheck.Libraries(libraries)
                .requireNoStubReachable(symbols(List.of("nm", "--undefined-only", object.toString())), implemented);
        say("the stub check found its canaries (" + String.join(", ", JvmStubCheck.CANARIES.stream().map(JvmStubCheck.Canary::stub).toList())
                + "); the image enters the JDK's libraries at " + checked.roots().size() + " functions (with their JNI_OnLoad); they reach "
                + checked.reached().size() + " JVM functions, all implemented: " + String.join(" ", checked.reached()));
    }

    /**
     * Per function of a shared library, every symbol its code calls, jumps to or takes the address of,
     * including the functions listed in a data object it refers to (tables of native methods handed to
     * RegisterNatives hold most of libjava's JVM functions).
     */
    private static Map<String, Set<String>> disassembledReferences(Path library) throws IOException, InterruptedException {
        String name = library.getFileName().toString();
        return JvmStubCheck.references(
                JvmStubCheck.codeReferences(name, output(List.of("objdump", "-d", "--no-show-raw-insn", library.toString()))),
                JvmStubCheck.dataReferences(name, output(List.of("nm", "-S", "--defined-only", library.toString())),
                        output(List.of("objdump", "-R", library.toString()))));
    }

    /** The symbol names nm prints (last column), without a version suffix. */
    private static Set<String> symbols(List<String> command) throws IOException, InterruptedException {
        return JvmStubCheck.unversioned(rawSymbols(command));
    }

    /** The symbol names nm prints (last column), as they are. */
    private static Set<String> rawSymbols(List<String> command) throws IOException, InterruptedException {
        return JvmStubCheck.symbolNames(output(command));
    }

    private static Path findObjectFile(Path tmp, String imageName) throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.filter(p -> p.getFileName().toString().equals(imageName + ".o")).findFirst()
                    .orElseThrow(() -> new Failure("the builder wrote no " + imageName + ".o under " + tmp));
        }
    }

    /**
     * embedded_libraries.S, assembled: the libraries as read-only data (.incbin) with the table
     * native/c/chelper/embedded.c loads them from, and for every function of theirs the image's object calls
     * a jump through a slot that embedded.c fills with dlsym. The executable names none of them as a
     * dependency, so the dynamic loader never looks for them on disk.
     */
    private Path embedLibraries(Path object, Path lib) throws IOException, InterruptedException {
        Map<String, Integer> definedIn = new HashMap<>();
        Pattern neededEntry = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]");
        for (int i = 0; i < EMBEDDED_LIBRARIES.size(); i++) {
            Path library = lib.resolve(EMBEDDED_LIBRARIES.get(i));
            List<String> earlier = EMBEDDED_LIBRARIES.subList(0, i);
            Matcher needed = neededEntry.matcher(output(List.of("readelf", "-d", library.toString())));
            while (needed.find()) {
                String name = needed.group(1);
                if (EMBEDDED_LIBRARIES.contains(name) && !earlier.contains(name)) {
                    throw new Failure(library.getFileName() + " needs " + name + ", which EMBEDDED_LIBRARIES loads after it");
                }
                if (!EMBEDDED_LIBRARIES.contains(name) && !GLIBC_LIBRARIES.contains(name)) {
                    throw new Failure(library.getFileName() + " needs " + name + ", which is neither embedded nor glibc's");
                }
            }
            if (EMBEDDED_LIBRARIES.get(i).equals(SQLITE_LIBRARY)) {
                continue; // loaded by sqlite-jdbc, which looks its functions up itself
            }
            for (String line : output(List.of("nm", "-D", "--defined-only", library.toString())).split("\n")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 3) {
                    String name = fields[2].replaceFirst("@.*", "");
                    definedIn.putIfAbsent(name, "TWi".contains(fields[1]) ? i : -1); // -1: data, which no jump can stand in for
                }
            }
        }
        StringBuilder text = new StringBuilder("/* generated by native/NativeImageBuild.java: the libraries embedded in the"
                + " executable and the jumps to their functions, for native/c/chelper/embedded.c */\n"
                + "    .section .note.GNU-stack,\"\",@progbits\n"
                + "    .section .rodata.crystaldb_embedded,\"a\",@progbits\n");
        for (int i = 0; i < EMBEDDED_LIBRARIES.size(); i++) {
            text.append("    .balign 64\n.Llibrary").append(i).append(": .incbin \"").append(lib.resolve(EMBEDDED_LIBRARIES.get(i)))
                    .append("\"\n.Llibrary").append(i).append("_end:\n.Lname").append(i).append(": .asciz \"")
                    .append(EMBEDDED_LIBRARIES.get(i)).append("\"\n");
        }
        text.append("    .balign 8\n    .globl crystaldb_embedded_libraries\ncrystaldb_embedded_libraries:\n");
        for (int i = 0; i < EMBEDDED_LIBRARIES.size(); i++) {
            text.append("    .quad .Lname").append(i).append(", .Llibrary").append(i).append(", .Llibrary").append(i)
                    .append("_end - .Llibrary").append(i).append(", ").append(EMBEDDED_LIBRARIES.get(i).equals(SQLITE_LIBRARY) ? 0 : 1)
                    .append('\n');
        }
        text.append("    .quad 0, 0, 0, 0\n");
        List<String> imports = new ArrayList<>();
        for (String symbol : symbols(List.of("nm", "--undefined-only", object.toString()))) {
            Integer library = definedIn.get(symbol);
            if (library != null && library < 0) {
                throw new Failure("the image uses " + symbol + ", data of an embedded library; only its functions can be reached");
            }
            if (library != null) {
                imports.add(symbol);
            }
        }
        StringBuilder names = new StringBuilder();
        StringBuilder table = new StringBuilder("    .balign 8\n    .globl crystaldb_embedded_imports\ncrystaldb_embedded_imports:\n");
        StringBuilder slots = new StringBuilder("    .data\n    .balign 8\n");
        StringBuilder jumps = new StringBuilder("    .text\n");
        for (int i = 0; i < imports.size(); i++) {
            String symbol = imports.get(i);
            names.append(".Limport").append(i).append(": .asciz \"").append(symbol).append("\"\n");
            table.append("    .quad .Limport").append(i).append(", ").append(definedIn.get(symbol)).append(", .Lslot").append(i).append('\n');
            slots.append(".Lslot").append(i).append(": .quad 0\n");
            jumps.append("    .globl ").append(symbol).append("\n    .type ").append(symbol).append(", @function\n").append(symbol)
                    .append(":\n    jmp *.Lslot").append(i).append("(%rip)\n    .size ").append(symbol).append(", . - ").append(symbol)
                    .append('\n');
        }
        table.append("    .quad 0, 0, 0\n");
        text.append(names).append(table).append(slots).append(jumps);
        Path source = work.resolve("embedded_libraries.S");
        Files.writeString(source, text);
        Path embedded = work.resolve("embedded_libraries.o");
        run(work, List.of(), List.of("gcc", "-c", "-o", embedded.toString(), source.toString()));
        long size = 0;
        for (String name : EMBEDDED_LIBRARIES) {
            size += Files.size(lib.resolve(name));
        }
        say("embedded " + String.join(", ", EMBEDDED_LIBRARIES) + " (" + size / 1024 + " KiB); the image calls " + imports.size()
                + " of their functions");
        return embedded;
    }

    private void link(Path object, Path chelper, Path embedded, Path executable) throws IOException, InterruptedException {
        // A position-dependent executable: the image's code and heap hold about 70,000 absolute addresses that a PIE
        // would have relocated (and so copied into private memory) on every start: 18 % of its CPU time, 3 MiB.
        // The C start-up files for that, with crt1.o calling native/c/chelper/glibc.c's start instead of libc's.
        Path start = work.resolve("crt1.o");
        Files.copy(Path.of(output(List.of("gcc", "-print-file-name=crt1.o")).trim()), start, StandardCopyOption.REPLACE_EXISTING);
        run(work, List.of(), List.of("objcopy", "--redefine-sym", "__libc_start_main=crystaldb_libc_start_main", start.toString()));
        List<String> startFiles = new ArrayList<>();
        for (String file : List.of("crti.o", "crtbegin.o", "crtend.o", "crtn.o")) {
            startFiles.add(output(List.of("gcc", "-print-file-name=" + file)).trim());
        }
        List<String> command = new ArrayList<>(List.of("gcc", "-no-pie", "-nostartfiles", "-z", "noexecstack", "-Wl,--gc-sections",
                "-o", executable.toString(), start.toString(), startFiles.get(0), startFiles.get(1), object.toString(), chelper.toString(),
                embedded.toString(), "-Wl,--no-as-needed"));
        // by file name: where glibc older than 2.34 has dlopen, the threads and clock functions
        command.addAll(List.of("-l:libdl.so.2", "-l:libpthread.so.0", "-l:librt.so.1", "-lm", "-lc", startFiles.get(2), startFiles.get(3)));
        run(work, List.of(), command);
    }

    // ------------------------------------------------------------------ glibc

    /** The versions of glibc's functions on this machine, and the bindings that keep the binaries at GLIBC_FLOOR. */
    private static final class Glibc {
        private final GlibcVersions versions = new GlibcVersions();

        Glibc() throws IOException, InterruptedException {
            Path libc = Path.of(output(List.of("gcc", "-print-file-name=libc.so.6")).trim()).toRealPath();
            for (String name : GLIBC_LIBRARIES) {
                Path library = libc.resolveSibling(name);
                if (Files.exists(library)) {
                    versions.read(output(List.of("objdump", "-T", library.toString())));
                }
            }
            if (versions.isEmpty()) {
                throw new Failure("cannot read the versions of glibc's functions from " + libc);
            }
        }

        /** Renames each reference of object to a glibc function younger than the floor: to its older version, or its replacement. */
        void pin(Path object) throws IOException, InterruptedException {
            List<String> renames = versions.bindings(object.getFileName().toString(),
                    rawSymbols(List.of("nm", "--undefined-only", object.toString())), GLIBC_FLOOR, GLIBC_REPLACEMENTS);
            if (!renames.isEmpty()) {
                Path list = object.resolveSibling(object.getFileName() + ".glibc-bindings");
                Files.write(list, renames);
                NativeImageBuild.run(object.getParent(), List.of(), List.of("objcopy", "--redefine-syms=" + list, object.toString()));
            }
        }

        /** The newest glibc version the binary asks for must not be newer than the floor. */
        void requireFloor(Path binary) throws IOException, InterruptedException {
            String newest = GlibcVersions.newestRequired(binary.getFileName().toString(),
                    output(List.of("objdump", "-T", binary.toString())));
            if (GlibcVersions.compare(newest, GLIBC_FLOOR) > 0) {
                throw new Failure(binary.getFileName() + " needs glibc " + newest + ", newer than " + GLIBC_FLOOR + " (objdump -T shows which function)");
            }
            say(binary.getFileName() + " needs glibc " + newest + " or later");
        }
    }

    /** What the command prints on stdout (its stderr goes to the build's); a tool that is missing or fails stops the build. */
    private static String output(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new Failure("cannot run " + command.get(0) + " (gcc and binutils are needed, native/README.md): " + e.getMessage());
        }
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new Failure(String.join(" ", command) + " failed");
        }
        return text;
    }

    // ------------------------------------------------------------------ the driver's options

    /** What the native-image driver makes of its arguments: builder options, the builder's JVM options, the class path. */
    private final class BuilderCommand {
        final DriverOptions options = new DriverOptions();
        final List<String> hostedOptions = options.hostedOptions;
        final List<String> builderJvmOptions = options.builderJvmOptions;
        final Set<Path> classPath = new LinkedHashSet<>();
        String imageName;
        String mainClass;

        void translate(List<String> arguments, String origin) throws IOException {
            for (int i = 0; i < arguments.size(); i++) {
                String argument = arguments.get(i);
                if (argument.equals("-jar")) {
                    addJar(sources.resolve(arguments.get(++i)));
                } else if (argument.equals("-cp") || argument.equals("--class-path")) {
                    for (String entry : arguments.get(++i).split(":")) {
                        classPath.add(sources.resolve(entry));
                    }
                } else if (!options.translate(argument)) {
                    if (argument.startsWith("-")) {
                        throw new Failure("option " + argument + " of " + origin + " is not known to this build; see native/README.md");
                    }
                    imageName = argument;
                }
            }
        }

        /**
         * What a library declares under META-INF/native-image/: driver options in native-image.properties, and
         * configuration files (reflection, resources, JNI, ...), which the driver hands to the builder by name.
         */
        void readJarOptions(Path jarPath) throws IOException {
            if (!jarPath.toString().endsWith(".jar")) {
                return;
            }
            try (JarFile jar = new JarFile(jarPath.toFile())) {
                for (ZipEntry entry : jar.stream().toList()) {
                    String name = entry.getName();
                    if (!name.startsWith("META-INF/native-image/")) {
                        continue;
                    }
                    String file = name.substring(name.lastIndexOf('/') + 1);
                    String option = CONFIGURATION_FILES.get(file);
                    if (option != null) {
                        // an empty list ([] from Quarkus) configures nothing; passing it only draws deprecation warnings
                        try (InputStream in = jar.getInputStream(entry)) {
                            if (!new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().equals("[]")) {
                                hostedOptions.add("-H:" + option + "=" + name);
                            }
                        }
                        continue;
                    }
                    if (!file.equals("native-image.properties")) {
                        continue;
                    }
                    Properties properties = new Properties();
                    try (InputStream in = jar.getInputStream(entry)) {
                        properties.load(in);
                    }
                    for (String argument : properties.getProperty("Args", "").trim().split("\\s+")) {
                        if (!argument.isEmpty() && !options.translate(argument)) {
                            throw new Failure("option " + argument + " of " + jarPath.getFileName() + "!" + name
                                    + " is not known to this build; see native/README.md");
                        }
                    }
                    for (String argument : properties.getProperty("JavaArgs", "").trim().split("\\s+")) {
                        if (!argument.isEmpty()) {
                            builderJvmOptions.add(argument);
                        }
                    }
                }
            }
        }

        private void addJar(Path jar) throws IOException {
            classPath.add(jar);
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                if (manifest == null) {
                    return;
                }
                String main = manifest.getMainAttributes().getValue("Main-Class");
                if (main != null && mainClass == null) {
                    mainClass = main.trim();
                }
                // the jar's module options, as `java -jar` would apply them, for the builder's class initialization
                for (String[] attribute : new String[][]{{"Add-Opens", "--add-opens="}, {"Add-Exports", "--add-exports="}}) {
                    String packages = manifest.getMainAttributes().getValue(attribute[0]);
                    if (packages != null) {
                        for (String modulePackage : packages.trim().split("\\s+")) {
                            builderJvmOptions.add(attribute[1] + modulePackage + "=ALL-UNNAMED");
                        }
                    }
                }
                String path = manifest.getMainAttributes().getValue("Class-Path");
                if (path != null) {
                    for (String entry : path.trim().split("\\s+")) {
                        classPath.add(jar.getParent().resolve(entry));
                    }
                }
            }
        }

        String mainClass() {
            if (mainClass == null) {
                throw new Failure("the runner jar names no Main-Class");
            }
            return mainClass;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void run(Path directory, List<String> environment, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).inheritIO();
        for (String assignment : environment) {
            int equals = assignment.indexOf('=');
            builder.environment().put(assignment.substring(0, equals), assignment.substring(equals + 1));
        }
        int exit;
        try {
            exit = builder.start().waitFor();
        } catch (IOException e) {
            throw new Failure("cannot run " + command.get(0) + ": " + e.getMessage());
        }
        if (exit != 0) {
            throw new Failure(String.join(" ", command.subList(0, Math.min(3, command.size()))) + " ... exited " + exit);
        }
    }

    private static String join(Iterable<Path> paths) {
        List<String> entries = new ArrayList<>();
        paths.forEach(p -> entries.add(p.toString()));
        return String.join(":", entries);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void say(String message) {
        System.err.println("native: " + message);
    }
}
