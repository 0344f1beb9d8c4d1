/*
 * crystal-db: runs on glibc 2.17 and later although it is linked on a newer one.
 *
 * NativeImageBuild.java binds every glibc function the executable and its libjvm.so call to the oldest
 * version that is not newer than 2.17 (objcopy renames pthread_create to pthread_create@GLIBC_2.2.5,
 * and so on). Two kinds of reference need more than a rename, and are here:
 *
 * - __libc_start_main, which the C start-up file (crt1.o) calls: glibc 2.34 gave it a new version whose
 *   callers pass no initializer. The build links a copy of crt1.o that calls crystaldb_libc_start_main
 *   instead, which calls the 2.2.5 version with the initializer older glibc expects (what glibc's own
 *   __libc_csu_init did: _init, then the executable's .init_array); glibc 2.34 and later run a given
 *   initializer instead of their own.
 * - fstat, a function only since glibc 2.33 (before, an inline call of __fxstat).
 */
#include <stddef.h>
#include <sys/stat.h>

typedef int (*main_function)(int, char **, char **);
typedef void (*initializer)(int, char **, char **);

extern int crystaldb_libc_start_main_2_2_5(main_function main, int argc, char **argv, void (*init)(int, char **, char **),
                                           void (*fini)(void), void (*rtld_fini)(void), void *stack_end);
__asm__(".symver crystaldb_libc_start_main_2_2_5, __libc_start_main@GLIBC_2.2.5");

extern int crystaldb_fxstat_2_2_5(int version, int fd, struct stat *buffer);
__asm__(".symver crystaldb_fxstat_2_2_5, __fxstat@GLIBC_2.2.5");

extern void _init(void);
extern initializer __init_array_start[] __attribute__((visibility("hidden")));
extern initializer __init_array_end[] __attribute__((visibility("hidden")));

static void run_initializers(int argc, char **argv, char **envp) {
    _init();
    size_t count = (size_t) (__init_array_end - __init_array_start);
    for (size_t i = 0; i < count; i++) {
        __init_array_start[i](argc, argv, envp);
    }
}

int crystaldb_libc_start_main(main_function main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end) {
    (void) init;
    return crystaldb_libc_start_main_2_2_5(main, argc, argv, run_initializers, fini, rtld_fini, stack_end);
}

/* _STAT_VER of x86-64 Linux: the kernel's struct stat, the one <sys/stat.h> declares */
#define STAT_VERSION_X86_64 1

int crystaldb_fstat(int fd, struct stat *buffer) {
    return crystaldb_fxstat_2_2_5(STAT_VERSION_X86_64, fd, buffer);
}
