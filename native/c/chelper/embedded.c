/*
 * crystal-db: the libraries the executable carries inside itself, loaded from memory before anything else runs.
 *
 * The native image calls into the JDK's libjava, libnio, libnet, libzip and libextnet and into crystal-db's
 * libjvm.so, and sqlite-jdbc loads SQLite's libsqlitejdbc.so. NativeImageBuild.java puts all seven into the
 * executable's read-only data (embedded_libraries.S, .incbin) and links the executable without naming them
 * as dependencies: the image's references to their functions go to generated jumps through a table
 * (crystaldb_embedded_imports) instead. This constructor runs before the image starts (before main, after
 * glibc's own libraries are loaded). For each library it makes a memory file (memfd_create), writes the
 * library there and dlopens it as /proc/self/fd/N, in dependency order: libjvm.so first, then libjava.so,
 * which names libjvm.so as a dependency and finds it among the loaded libraries by its soname, and so on.
 * They are loaded RTLD_GLOBAL because the image also looks up the JDK's JNI functions with
 * dlsym(RTLD_DEFAULT). Then it fills the table of jumps. SQLite's library is only written to its memory
 * file, which stays open: dev.crystaldb.db.SqliteLibrary hands /proc/self/fd/N to sqlite-jdbc.
 *
 * Nothing is written to a file system, so a noexec /tmp or /dev/shm does not matter. A kernel without
 * memfd_create (before Linux 3.17, as CentOS 7's) gets an unlinked temporary file instead, in
 * CRYSTAL_DB_TMPDIR, else TMPDIR, else /tmp; that directory must allow executable mappings.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* generated: the libraries in load order, ended by a NULL name; load == 0: written only (libsqlitejdbc.so) */
struct crystaldb_embedded_library {
    const char *name;
    const unsigned char *start;
    unsigned long size;
    unsigned long load;
};

/* generated: per function of the libraries the image calls, the library it is in and the slot its jump goes through */
struct crystaldb_embedded_import {
    const char *name;
    unsigned long library;
    void **slot;
};

extern const struct crystaldb_embedded_library crystaldb_embedded_libraries[];
extern const struct crystaldb_embedded_import crystaldb_embedded_imports[];

/* the memory file names start with this; SqliteLibrary looks for it among the open file descriptors */
#define NAME_PREFIX "crystal-db:"
#define MAX_LIBRARIES 16
/* memfd_create's flag; the system call itself, as glibc has a wrapper only since 2.27 */
#define MEMORY_FILE_CLOSE_ON_EXEC 1U

__attribute__((noreturn)) static void fail(const char *name, const char *problem, const char *fix) {
    fprintf(stderr, "crystal-db: cannot load its built-in library %s: %s%s%s\n", name, problem, fix[0] ? ": " : "", fix);
    fflush(stderr);
    _exit(1);
}

/* an unlinked file in CRYSTAL_DB_TMPDIR, TMPDIR or /tmp, for kernels without memfd_create */
static int temporary_file(const char *name, int memfd_error, char *directory_used, size_t size) {
    const char *directory = getenv("CRYSTAL_DB_TMPDIR");
    if (directory == NULL || directory[0] == '\0') {
        directory = getenv("TMPDIR");
    }
    if (directory == NULL || directory[0] == '\0') {
        directory = "/tmp";
    }
    snprintf(directory_used, size, "%s", directory);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/" NAME_PREFIX "%s.XXXXXX", directory, name) >= (int) sizeof path) {
        fail(name, "CRYSTAL_DB_TMPDIR is too long", "use a shorter path");
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        char problem[4400];
        snprintf(problem, sizeof problem, "the kernel has no memory files (memfd_create: %s; Linux 3.17 and later have them)"
                 " and %s refuses a temporary copy (%s)", strerror(memfd_error), directory, strerror(errno));
        fail(name, problem, "set CRYSTAL_DB_TMPDIR to a writable directory");
    }
    unlink(path); /* nothing stays behind; the open descriptor keeps the copy until the process ends */
    return fd;
}

static void write_all(int fd, const char *name, const unsigned char *data, unsigned long size) {
    while (size > 0) {
        ssize_t written = write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            fail(name, written < 0 ? strerror(errno) : "nothing written", "free memory or disk space");
        }
        data += written;
        size -= (unsigned long) written;
    }
}

__attribute__((constructor(101))) static void load_embedded_libraries(void) {
    void *handles[MAX_LIBRARIES];
    int loaded_files[MAX_LIBRARIES];
    unsigned long loaded = 0;
    for (unsigned long i = 0; crystaldb_embedded_libraries[i].name != NULL; i++) {
        const struct crystaldb_embedded_library *library = &crystaldb_embedded_libraries[i];
        if (i >= MAX_LIBRARIES) {
            fail(library->name, "too many embedded libraries", "raise MAX_LIBRARIES in native/c/chelper/embedded.c");
        }
        char memory_name[256];
        snprintf(memory_name, sizeof memory_name, NAME_PREFIX "%s", library->name);
        char fallback_directory[4096] = "";
        int fd = (int) syscall(SYS_memfd_create, memory_name, MEMORY_FILE_CLOSE_ON_EXEC);
        if (fd < 0) {
            fd = temporary_file(library->name, errno, fallback_directory, sizeof fallback_directory);
        }
        write_all(fd, library->name, library->start, library->size);
        handles[i] = NULL;
        if (!library->load) {
            continue; /* stays open for sqlite-jdbc */
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        handles[i] = dlopen(path, RTLD_LAZY | RTLD_GLOBAL);
        if (handles[i] == NULL) {
            const char *error = dlerror();
            if (access("/proc/self/fd", F_OK) != 0) {
                fail(library->name, "/proc is not mounted", "mount it (mount -t proc proc /proc)");
            }
            if (fallback_directory[0] != '\0') {
                char problem[4400];
                snprintf(problem, sizeof problem, "the kernel has no memory files (Linux 3.17 and later have them) and the"
                         " temporary copy in %s does not load (%s)", fallback_directory, error != NULL ? error : "dlopen failed");
                fail(library->name, problem, "set CRYSTAL_DB_TMPDIR to a directory on a file system mounted without noexec");
            }
            fail(library->name, error != NULL ? error : "dlopen failed", "");
        }
        /* closed only when all are loaded: glibc takes a path it loaded before for that library, and the next
           memory file would get this number again */
        loaded_files[loaded++] = fd;
    }
    for (unsigned long i = 0; i < loaded; i++) {
        close(loaded_files[i]); /* the mappings stay */
    }
    for (unsigned long i = 0; crystaldb_embedded_imports[i].name != NULL; i++) {
        const struct crystaldb_embedded_import *import = &crystaldb_embedded_imports[i];
        void *address = dlsym(handles[import->library], import->name);
        if (address == NULL) {
            char problem[512];
            snprintf(problem, sizeof problem, "it has no function %s, which the image calls", import->name);
            fail(crystaldb_embedded_libraries[import->library].name, problem, "rebuild crystal-db");
        }
        *import->slot = address;
    }
}
