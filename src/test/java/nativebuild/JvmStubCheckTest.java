package nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The build's check that no aborting stub of libjvm.so is reachable (native/README.md), on libraries written
 * out as objdump, nm and objdump -R print them: what it must find, and that output it does not understand
 * fails the build instead of passing it.
 */
class JvmStubCheckTest {
    /** What native/c/jvm implements in these tests; every other JVM function is a stub. */
    private static final Set<String> IMPLEMENTED = Set.of("JVM_Halt", "jio_snprintf", "JVM_FindLibraryEntry");

    /** Excerpts of objdump -d --no-show-raw-insn of the JDK 25's libjava.so, as binutils 2.40 prints them. */
    private static final String REAL_OBJDUMP = """

            libjava.so:     file format elf64-x86-64


            Disassembly of section .plt:

            000000000000ea10 <JVM_Halt@plt>:
                ea10:\tjmp    *0x133a2(%rip)        # 21db8 <JVM_Halt@SUNWprivate_1.1>
                ea16:\tpush   $0x3e
                ea1b:\tjmp    e020 <_init+0x20>

            Disassembly of section .text:

            000000000000f2b0 <Java_java_lang_Class_forName0>:
                f2b0:\tpush   %rbp
                f2d4:\tje     f3c0 <Java_java_lang_Class_forName0+0x110>
                f2e9:\tcall   f150 <verifyClassname>
                f31a:\tcall   e6b0 <JVM_FindClassFromCaller@plt>
                f3c0:\tcall   e520 <JNU_ThrowNullPointerException@plt>

            000000000000f280 <Java_java_lang_Thread_registerNatives>:
                f288:\tlea    0x12d91(%rip),%rdx        # 22020 <methods>
                f29a:\tjmp    *%rax
            """;

    @Test
    void readsObjdumpsDisassemblyAsBinutilsPrintsIt() {
        Map<String, Set<String>> functions = JvmStubCheck.codeReferences("libjava.so", REAL_OBJDUMP);

        assertEquals(Set.of("Java_java_lang_Class_forName0", "Java_java_lang_Thread_registerNatives"), functions.keySet(),
                "PLT entries are imports, not functions of the library");
        assertEquals(Set.of("Java_java_lang_Class_forName0", "verifyClassname", "JVM_FindClassFromCaller", "JNU_ThrowNullPointerException"),
                functions.get("Java_java_lang_Class_forName0"), "the target's name without @plt, a version or +offset");
        assertEquals(Set.of("methods"), functions.get("Java_java_lang_Thread_registerNatives"));
    }

    @Test
    void readsTablesOfFunctionsFromRelocationsByNameAndByAddress() {
        String nm = """
                000000000000eef0 0000000000000040 t Java_java_lang_Thread_start0
                0000000000014a20 0000000000000018 T Java_java_lang_Thread_registerNatives
                0000000000022020 0000000000000228 d methods
                0000000000022250 0000000000000018 d methods
                """;
        String relocations = """

                libjava.so:     file format elf64-x86-64

                DYNAMIC RELOCATION RECORDS
                OFFSET           TYPE              VALUE
                0000000000022030 R_X86_64_64       JVM_StartThread@SUNWprivate_1.1
                0000000000022040 R_X86_64_RELATIVE  *ABS*+0x000000000000eef0
                0000000000030000 R_X86_64_64       JVM_Sleep@SUNWprivate_1.1
                0000000000021fd8 R_X86_64_GLOB_DAT  __gmon_start__@Base
                """;

        Map<String, Set<String>> tables = JvmStubCheck.dataReferences("libjava.so", nm, relocations);

        assertEquals(Map.of("methods", Set.of("JVM_StartThread", "Java_java_lang_Thread_start0")), tables,
                "a relocation outside every data object (JVM_Sleep) belongs to no table");
    }

    @Test
    void aStubReachedOnlyThroughALibrarysJniOnLoadFailsTheBuild() {
        FakeLibrary nio = new FakeLibrary("libnio.so")
                .function("Java_sun_nio_ch_IOUtil_read", true, "JVM_Halt")
                .function("JNI_OnLoad", true, "initialize")
                .function("initialize", false, "JVM_GetStackTrace");
        JvmStubCheck.Libraries libraries = new JvmStubCheck.Libraries(List.of(libjava().parse(), nio.parse()));
        Set<String> imports = Set.of("Java_java_io_FileOutputStream_writeBytes", "Java_sun_nio_ch_IOUtil_read", "malloc");

        Failure failure = assertThrows(Failure.class, () -> libraries.requireNoStubReachable(imports, IMPLEMENTED));

        assertEquals("the image can reach JVM functions that native/c/jvm/jvm.c does not implement:"
                + " JVM_GetStackTrace (from JNI_OnLoad of libnio.so)", failure.getMessage());
        List<JvmStubCheck.Root> withoutJniOnLoad = new ArrayList<>(libraries.roots(imports));
        withoutJniOnLoad.removeIf(root -> root.function().equals("JNI_OnLoad"));
        assertFalse(libraries.reach(withoutJniOnLoad).containsKey("JVM_GetStackTrace"),
                "the image's imports alone do not reach it: only the walk of JNI_OnLoad finds it");
    }

    @Test
    void aStubReachedThroughAnotherLibraryOrATableFailsTheBuild() {
        FakeLibrary java = libjava()
                .function("JNU_NewStringPlatform", true, "JVM_InitStackTraceElement")
                .function("Java_java_lang_Object_registerNatives", true, "objectMethods")
                .table("objectMethods", "JVM_IHashCode");
        FakeLibrary net = new FakeLibrary("libnet.so").function("Java_java_net_Inet4AddressImpl_getLocalHostName", true,
                "JNU_NewStringPlatform");
        JvmStubCheck.Libraries libraries = new JvmStubCheck.Libraries(List.of(java.parse(), net.parse()));

        Failure failure = assertThrows(Failure.class, () -> libraries.requireNoStubReachable(
                Set.of("Java_java_net_Inet4AddressImpl_getLocalHostName", "Java_java_lang_Object_registerNatives"), IMPLEMENTED));

        assertEquals("the image can reach JVM functions that native/c/jvm/jvm.c does not implement:"
                + " JVM_IHashCode (from Java_java_lang_Object_registerNatives)"
                + " JVM_InitStackTraceElement (from Java_java_net_Inet4AddressImpl_getLocalHostName)", failure.getMessage());
    }

    @Test
    void passesWhenEverythingReachedIsImplementedAndSaysWhatItWalked() {
        FakeLibrary net = new FakeLibrary("libnet.so").function("JNI_OnLoad", true, "JVM_FindLibraryEntry");
        JvmStubCheck.Libraries libraries = new JvmStubCheck.Libraries(List.of(libjava().parse(), net.parse()));

        JvmStubCheck.Checked checked = libraries.requireNoStubReachable(Set.of("Java_java_io_FileOutputStream_writeBytes"), IMPLEMENTED);

        assertEquals(Set.of("JVM_Halt", "jio_snprintf", "JVM_FindLibraryEntry"), checked.reached());
        assertEquals(List.of("Java_java_io_FileOutputStream_writeBytes", "JNI_OnLoad of libjava.so", "JNI_OnLoad of libnet.so"),
                checked.roots().stream().map(JvmStubCheck.Root::entry).toList());
    }

    @Test
    void theCanariesFailTheBuildWhenTheWalkDoesNotFindThem() {
        Set<String> imports = Set.of("Java_java_io_FileOutputStream_writeBytes");
        // the table of native methods lost (as when objdump -R is not understood): the table canary is not found
        FakeLibrary withoutTable = libjava();
        withoutTable.tables.clear();
        Failure lost = assertThrows(Failure.class,
                () -> new JvmStubCheck.Libraries(List.of(withoutTable.parse())).requireNoStubReachable(imports, IMPLEMENTED));
        assertEquals("the stub check's canary failed: it does not find the stub JVM_StartThread, which"
                + " Java_java_lang_Thread_registerNatives of libjava.so reaches through its table of native methods;"
                + " the check cannot be trusted, so the build stops", lost.getMessage());

        // a JDK without the canary's function
        FakeLibrary without = new FakeLibrary("libjava.so").function("Java_java_io_FileOutputStream_writeBytes", true, "JVM_Halt");
        Failure missing = assertThrows(Failure.class,
                () -> new JvmStubCheck.Libraries(List.of(without.parse())).requireNoStubReachable(imports, IMPLEMENTED));
        assertTrue(missing.getMessage().startsWith("the stub check's canary failed: objdump -d shows no Java_java_lang_Class_forName0"),
                missing.getMessage());

        // a canary implemented by native/c/jvm is no stub any more
        Set<String> implementedToo = new TreeSet<>(IMPLEMENTED);
        implementedToo.add("JVM_FindClassFromCaller");
        Failure stale = assertThrows(Failure.class,
                () -> new JvmStubCheck.Libraries(List.of(libjava().parse())).requireNoStubReachable(imports, implementedToo));
        assertTrue(stale.getMessage().startsWith("the stub check's canary JVM_FindClassFromCaller is implemented"), stale.getMessage());
    }

    @Test
    void outputItDoesNotUnderstandFailsTheBuild() {
        String garbage = "objdump: warning: unknown format\nsome text\n  with indentation <JVM_Halt>\n";
        assertFailure("objdump -d of libjava.so shows no functions", () -> JvmStubCheck.codeReferences("libjava.so", garbage));
        assertFailure("objdump -d of libjava.so shows no functions", () -> JvmStubCheck.codeReferences("libjava.so", ""));
        assertFailure("objdump -d of libjava.so shows no references",
                () -> JvmStubCheck.codeReferences("libjava.so", "0000000000001000 <f>:\n    1000:\tret\n"));
        assertFailure("nm -S of libjava.so lists no functions", () -> JvmStubCheck.dataReferences("libjava.so", garbage, garbage));
        assertFailure("objdump -R of libjava.so lists no relocations",
                () -> JvmStubCheck.dataReferences("libjava.so", "0000000000001000 0000000000000010 T f\n", garbage));

        FakeLibrary java = libjava();
        assertFailure("the image's object imports none of the JDK libraries' functions",
                () -> new JvmStubCheck.Libraries(List.of(java.parse())).requireNoStubReachable(Set.of("malloc", "free"), IMPLEMENTED));
        JvmStubCheck.Library noExports = new JvmStubCheck.Library("libzip.so", java.parse().references(), Set.of());
        assertFailure("nm -D of libzip.so lists no exported symbols", () -> new JvmStubCheck.Libraries(List.of(noExports)));
        JvmStubCheck.Library onLoadNotDisassembled = new JvmStubCheck.Library("libnio.so", Map.of("f", Set.of("g")),
                Set.of("f", "JNI_OnLoad"));
        assertFailure("libnio.so exports JNI_OnLoad but objdump -d shows no such function",
                () -> new JvmStubCheck.Libraries(List.of(java.parse(), onLoadNotDisassembled))
                        .requireNoStubReachable(Set.of("Java_java_io_FileOutputStream_writeBytes"), IMPLEMENTED));
    }

    @Test
    void theStubsAreTheImportedJvmFunctionsNotImplemented() {
        Set<String> imported = Set.of("JVM_Halt", "JVM_StartThread", "jio_snprintf", "jio_fprintf", "malloc", "JNU_ThrowIOException");

        Set<String> stubs = JvmStubCheck.stubs(imported, IMPLEMENTED);

        assertEquals(Set.of("JVM_StartThread", "jio_fprintf"), stubs);
        String source = JvmStubCheck.stubSource(stubs);
        assertTrue(source.contains("void JVM_StartThread(void) { crystaldb_jvm_unsupported(\"JVM_StartThread\"); }"), source);
        assertTrue(source.contains("void jio_fprintf(void) { crystaldb_jvm_unsupported(\"jio_fprintf\"); }"), source);
        assertFalse(source.contains("JVM_Halt"), source);
        assertFailure("nm lists no JVM function among the JDK libraries' imports",
                () -> JvmStubCheck.stubs(Set.of("malloc", "free"), IMPLEMENTED));
        assertFailure("nm lists no JVM function that native/c/jvm defines", () -> JvmStubCheck.stubs(imported, Set.of("initialize")));
    }

    @Test
    void readsNmsSymbolNamesWithAndWithoutVersions() {
        String nm = """
                                 U JVM_Halt@SUNWprivate_1.1
                                 U memcpy@GLIBC_2.14
                0000000000016890 T JNI_OnLoad
                nm: libfoo.so: no symbols
                """;

        Set<String> raw = JvmStubCheck.symbolNames(nm);

        assertTrue(raw.containsAll(Set.of("JVM_Halt@SUNWprivate_1.1", "memcpy@GLIBC_2.14", "JNI_OnLoad")), raw.toString());
        assertTrue(JvmStubCheck.unversioned(raw).containsAll(Set.of("JVM_Halt", "memcpy", "JNI_OnLoad")));
    }

    private static void assertFailure(String start, Runnable check) {
        Failure failure = assertThrows(Failure.class, check::run);
        assertTrue(failure.getMessage().startsWith(start), failure.getMessage());
    }

    /** libjava with what the canaries need, a function the image calls and its JNI_OnLoad. */
    private static FakeLibrary libjava() {
        return new FakeLibrary("libjava.so")
                .function("Java_java_io_FileOutputStream_writeBytes", true, "writeBytes")
                .function("writeBytes", false, "JVM_Halt", "jio_snprintf", "malloc")
                .function("JNI_OnLoad", true)
                .function("Java_java_lang_Class_forName0", true, "JVM_FindClassFromCaller", "verifyClassname")
                .function("verifyClassname", false, "strlen")
                .function("Java_java_lang_Thread_registerNatives", true, "methods")
                .table("methods", "JVM_StartThread", "Java_java_lang_Thread_start0")
                .function("Java_java_lang_Thread_start0", false, "JVM_StartThread");
    }

    /** A library written out as objdump -d, nm -S, objdump -R and nm -D print it. */
    private static final class FakeLibrary {
        private final String file;
        private final List<String[]> functions = new ArrayList<>(); // name, exported, targets...
        final List<String[]> tables = new ArrayList<>(); // name, entries...

        FakeLibrary(String file) {
            this.file = file;
        }

        FakeLibrary function(String name, boolean exported, String... targets) {
            String[] entry = new String[targets.length + 2];
            entry[0] = name;
            entry[1] = Boolean.toString(exported);
            System.arraycopy(targets, 0, entry, 2, targets.length);
            functions.add(entry);
            return this;
        }

        /** A data object holding function pointers: JVM functions by name (imports), the library's own by address. */
        FakeLibrary table(String name, String... entries) {
            String[] entry = new String[entries.length + 1];
            entry[0] = name;
            System.arraycopy(entries, 0, entry, 1, entries.length);
            tables.add(entry);
            return this;
        }

        private long functionAddress(int index) {
            return 0x10000L + 0x100L * index;
        }

        private long tableAddress(int index) {
            return 0x30000L + 0x1000L * index;
        }

        private int indexOf(String function) {
            for (int i = 0; i < functions.size(); i++) {
                if (functions.get(i)[0].equals(function)) {
                    return i;
                }
            }
            return -1;
        }

        private long addressOf(String symbol) {
            for (int i = 0; i < tables.size(); i++) {
                if (tables.get(i)[0].equals(symbol)) {
                    return tableAddress(i);
                }
            }
            int index = indexOf(symbol);
            return index >= 0 ? functionAddress(index) : 0xe000L;
        }

        String disassembly() {
            StringBuilder text = new StringBuilder("\n" + file + ":     file format elf64-x86-64\n\n\nDisassembly of section .plt:\n\n"
                    + "000000000000e000 <JVM_Halt@plt>:\n    e000:\tjmp    *0x133a2(%rip)        # 21db8 <JVM_Halt@SUNWprivate_1.1>\n\n"
                    + "Disassembly of section .text:\n\n");
            for (int i = 0; i < functions.size(); i++) {
                String[] function = functions.get(i);
                long at = functionAddress(i);
                text.append(String.format("%016x <%s>:%n    %x:\tpush   %%rbp%n", at, function[0], at));
                for (int t = 2; t < function.length; t++) {
                    String target = function[t];
                    boolean table = tables.stream().anyMatch(entry -> entry[0].equals(target));
                    boolean local = indexOf(target) >= 0;
                    text.append(table
                            ? String.format("    %x:\tlea    0x0(%%rip),%%rdx        # %x <%s>%n", at + t, addressOf(target), target)
                            : String.format("    %x:\tcall   %x <%s%s>%n", at + t, addressOf(target), target, local ? "" : "@plt"));
                }
                text.append(String.format("    %x:\tjmp    %x <%s+0x10>%n    %x:\tret%n%n", at + 0x20, at + 0x10, function[0], at + 0x21));
            }
            return text.toString();
        }

        String symbolSizes() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < functions.size(); i++) {
                text.append(String.format("%016x %016x %s %s%n", functionAddress(i), 0x40, Boolean.parseBoolean(functions.get(i)[1]) ? "T" : "t",
                        functions.get(i)[0]));
            }
            for (int i = 0; i < tables.size(); i++) {
                text.append(String.format("%016x %016x d %s%n", tableAddress(i), 8 * (tables.get(i).length - 1), tables.get(i)[0]));
            }
            return text.toString();
        }

        String relocations() {
            StringBuilder text = new StringBuilder("\n" + file + ":     file format elf64-x86-64\n\nDYNAMIC RELOCATION RECORDS\n"
                    + "OFFSET           TYPE              VALUE\n"
                    + "0000000000021fd8 R_X86_64_GLOB_DAT  __gmon_start__@Base\n"
                    + "0000000000022000 R_X86_64_RELATIVE  *ABS*+0x0000000000022000\n");
            for (int i = 0; i < tables.size(); i++) {
                String[] table = tables.get(i);
                for (int e = 1; e < table.length; e++) {
                    long at = tableAddress(i) + 8L * (e - 1);
                    text.append(indexOf(table[e]) >= 0
                            ? String.format("%016x R_X86_64_RELATIVE  *ABS*+0x%016x%n", at, addressOf(table[e]))
                            : String.format("%016x R_X86_64_64       %s@SUNWprivate_1.1%n", at, table[e]));
                }
            }
            return text.toString();
        }

        JvmStubCheck.Library parse() {
            Set<String> exported = new TreeSet<>();
            for (String[] function : functions) {
                if (Boolean.parseBoolean(function[1])) {
                    exported.add(function[0]);
                }
            }
            return new JvmStubCheck.Library(file, JvmStubCheck.references(JvmStubCheck.codeReferences(file, disassembly()),
                    JvmStubCheck.dataReferences(file, symbolSizes(), relocations())), exported);
        }
    }
}
