package nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bindings that keep the executable at glibc 2.17 (native/README.md "glibc"), from objdump -T as binutils prints it. */
class GlibcVersionsTest {
    /** Lines of objdump -T of Debian 12's libc.so.6 (glibc 2.36). */
    private static final String LIBC = """

            /lib/x86_64-linux-gnu/libc.so.6:     file format elf64-x86-64

            DYNAMIC SYMBOL TABLE:
            0000000000089380 g    DF .text\t0000000000000eed (GLIBC_2.2.5) pthread_create
            0000000000089380 g    DF .text\t0000000000000eed  GLIBC_2.34  pthread_create
            0000000000085500 g    DF .text\t0000000000000090 (GLIBC_2.2.5) dlopen
            0000000000085500 g    DF .text\t0000000000000090  GLIBC_2.34  dlopen
            00000000000f7800  w   DF .text\t0000000000000034  GLIBC_2.33  fstat
            00000000000f9a10 g    DF .text\t0000000000000031  GLIBC_2.2.5 write
            00000000000f9b10 g    DF .text\t0000000000000031  GLIBC_2.27  memfd_create
            00000000001d4b80 g    DO .data\t0000000000000008  GLIBC_2.2.5 environ
            """;

    @Test
    void bindsEachReferenceToANewerFunctionToItsNewestVersionNotNewerThanTheFloor() {
        GlibcVersions glibc = new GlibcVersions();
        glibc.read(LIBC);

        List<String> renames = glibc.bindings("chelper.o", Set.of("pthread_create", "dlopen", "fstat", "write", "environ",
                "memcpy@GLIBC_2.14", "crystaldb_local"), "2.17", Map.of("fstat", "crystaldb_fstat"));

        assertEquals(Set.of("pthread_create pthread_create@GLIBC_2.2.5", "dlopen dlopen@GLIBC_2.2.5", "fstat crystaldb_fstat"),
                Set.copyOf(renames));
    }

    @Test
    void aNewerFunctionWithoutAnOlderVersionOrAReplacementStopsTheBuild() {
        GlibcVersions glibc = new GlibcVersions();
        glibc.read(LIBC);

        Failure failure = assertThrows(Failure.class, () -> glibc.bindings("chelper.o", Set.of("memfd_create"), "2.17", Map.of()));

        assertEquals("chelper.o calls memfd_create, which exists only since glibc 2.27: add a replacement to"
                + " native/c/chelper/glibc.c and GLIBC_REPLACEMENTS, or raise GLIBC_FLOOR", failure.getMessage());
    }

    @Test
    void readsTheNewestVersionABinaryAsksForAndFailsWhenItFindsNone() {
        String binary = """
                0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.2.5) abort
                0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.17) clock_gettime
                0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.3.4) __memcpy_chk
                """;

        assertEquals("2.17", GlibcVersions.newestRequired("crystal-db", binary));
        assertEquals("2.34", GlibcVersions.newestRequired("crystal-db", binary + "0000000000000000      DF *UND*\t0 (GLIBC_2.34) dlopen\n"));
        Failure failure = assertThrows(Failure.class, () -> GlibcVersions.newestRequired("crystal-db", "objdump: crystal-db: file format not recognized"));
        assertTrue(failure.getMessage().startsWith("objdump -T of crystal-db names no glibc version"), failure.getMessage());
        assertTrue(new GlibcVersions().isEmpty());
    }

    @Test
    void comparesVersionsAsNumbers() {
        assertTrue(GlibcVersions.compare("2.3", "2.17") < 0);
        assertTrue(GlibcVersions.compare("2.2.5", "2.17") < 0);
        assertTrue(GlibcVersions.compare("2.34", "2.17") > 0);
        assertEquals(0, GlibcVersions.compare("2.17", "2.17.0"));
    }
}
