/*
 * crystal-db: libjvm.so, the "JVM" that the JDK's own libjava, libnio, libnet, libzip and libextnet
 * (copied from the JDK 25, embedded in the executable with it) are linked against, in place of HotSpot's libjvm.so.
 *
 * Those libraries import about 160 JVM_* functions. The native image reaches them only through the
 * JNI methods of theirs that it calls (file and NIO I/O, process and environment, InetAddress, zip
 * inflation); everything else they offer (class loading, reflection, threads, monitors, stack walks)
 * the image implements itself and never calls. This file implements what those entry points use
 * (NativeImageBuild.java checks it against their call graph at build time); every other import is a
 * generated stub that names itself on stderr and aborts, so a gap shows at once instead of
 * misbehaving. Also here: the JNI_OnLoad_<library> entry points the image calls for the JDK's
 * libraries, which a GraalVM distribution would link statically.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <link.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* the JVM interface version of JDK 9 and later */
#define JVM_INTERFACE_VERSION 6

__attribute__((noreturn)) void crystaldb_jvm_unsupported(const char *name) {
    fprintf(stderr, "crystal-db: internal error: %s of crystal-db's libjvm.so was called; it is not implemented"
                    " in crystal-db's native build (native/README.md)\n", name);
    fflush(stderr);
    abort();
}

/* Called by the image once at start; nothing to prepare. */
EXPORT void initialize(void) {
}

EXPORT jint JVM_GetInterfaceVersion(void) {
    return JVM_INTERFACE_VERSION;
}

/* The CPUs this process may run on (its affinity mask: cgroups' cpusets, taskset). */
EXPORT jint JVM_ActiveProcessorCount(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) {
            return count;
        }
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (jint) online : 1;
}

EXPORT jlong JVM_CurrentTimeMillis(JNIEnv *env, jclass ignored) {
    (void) env;
    (void) ignored;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (jlong) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

EXPORT jlong JVM_NanoTime(JNIEnv *env, jclass ignored) {
    (void) env;
    (void) ignored;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (jlong) now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Nanoseconds since offset_seconds (epoch seconds), or -1 when that is too far off (as HotSpot). */
EXPORT jlong JVM_GetNanoTimeAdjustment(JNIEnv *env, jclass ignored, jlong offset_seconds) {
    (void) env;
    (void) ignored;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    jlong seconds = (jlong) now.tv_sec - offset_seconds;
    if (seconds >= ((jlong) 1 << 32) || seconds <= -((jlong) 1 << 32)) {
        return -1;
    }
    return seconds * 1000000000 + now.tv_nsec;
}

/* Runtime.halt() and the end of System.exit(). */
EXPORT void JVM_Halt(jint code) {
    exit(code);
}

EXPORT void JVM_BeforeHalt(void) {
}

EXPORT void *JVM_FindLibraryEntry(void *handle, const char *name) {
    return dlsym(handle, name);
}

EXPORT void *JVM_LoadLibrary(const char *name, jboolean throw_exception) {
    (void) throw_exception;
    return dlopen(name, RTLD_LAZY);
}

EXPORT void JVM_UnloadLibrary(void *handle) {
    dlclose(handle);
}

/* Paths need no translation on Linux. */
EXPORT char *JVM_NativePath(char *path) {
    return path;
}

EXPORT jboolean JVM_IsSupportedJNIVersion(jint version) {
    switch (version) {
    case JNI_VERSION_1_1: case JNI_VERSION_1_2: case JNI_VERSION_1_4: case JNI_VERSION_1_6: case JNI_VERSION_1_8:
    case JNI_VERSION_9: case JNI_VERSION_10: case JNI_VERSION_19: case JNI_VERSION_20: case JNI_VERSION_21:
    case JNI_VERSION_24:
        return JNI_TRUE;
    default:
        return JNI_FALSE;
    }
}

EXPORT jstring JVM_GetTemporaryDirectory(JNIEnv *env) {
    return (*env)->NewStringUTF(env, "/tmp");
}

/* The image decides itself whether it runs in a container; the JDK's code asking this is not reached. */
EXPORT jboolean JVM_IsUseContainerSupport(void) {
    return JNI_FALSE;
}

EXPORT jboolean JVM_IsContainerized(void) {
    return JNI_FALSE;
}

/* HotSpot's jio_ functions: snprintf that always terminates the buffer and returns -1 when it is too small. */
EXPORT int jio_vsnprintf(char *buffer, size_t size, const char *format, va_list arguments) {
    if ((intptr_t) size <= 0) {
        return -1;
    }
    int written = vsnprintf(buffer, size, format, arguments);
    if (written < 0 || (size_t) written >= size) {
        buffer[size - 1] = '\0';
        return -1;
    }
    return written;
}

EXPORT int jio_snprintf(char *buffer, size_t size, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int written = jio_vsnprintf(buffer, size, format, arguments);
    va_end(arguments);
    return written;
}

EXPORT int jio_vfprintf(FILE *stream, const char *format, va_list arguments) {
    return vfprintf(stream, format, arguments);
}

EXPORT int jio_fprintf(FILE *stream, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int written = vfprintf(stream, format, arguments);
    va_end(arguments);
    return written;
}

/*
 * The image treats the JDK's libraries as built in and calls JNI_OnLoad_<name> for each. Here they
 * are shared libraries the executable loaded from memory at start (native/c/chelper/embedded.c), found
 * by their soname: run the library's own JNI_OnLoad when it has one (libjava, libnio and libnet record
 * the JavaVM there), not one of its dependencies' that dlsym would find too. A built-in library must
 * report JNI 1.8 or later.
 */
static jint load_builtin(const char *file, JavaVM *vm, void *reserved) {
    jint version = JNI_VERSION_1_8;
    void *library = dlopen(file, RTLD_LAZY | RTLD_NOLOAD);
    if (library != NULL) {
        void *onload = dlsym(library, "JNI_OnLoad");
        struct link_map *map = NULL;
        Dl_info where;
        if (onload != NULL && dlinfo(library, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && dladdr(onload, &where) != 0
            && where.dli_fname != NULL && strcmp(where.dli_fname, map->l_name) == 0) {
            version = ((jint (*)(JavaVM *, void *)) onload)(vm, reserved);
        }
        dlclose(library);
    }
    if (version < 0) {
        return version;
    }
    return version < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : version;
}

EXPORT jint JNI_OnLoad_java(JavaVM *vm, void *reserved) {
    return load_builtin("libjava.so", vm, reserved);
}

EXPORT jint JNI_OnLoad_nio(JavaVM *vm, void *reserved) {
    return load_builtin("libnio.so", vm, reserved);
}

EXPORT jint JNI_OnLoad_net(JavaVM *vm, void *reserved) {
    return load_builtin("libnet.so", vm, reserved);
}

EXPORT jint JNI_OnLoad_zip(JavaVM *vm, void *reserved) {
    return load_builtin("libzip.so", vm, reserved);
}

EXPORT jint JNI_OnLoad_extnet(JavaVM *vm, void *reserved) {
    return load_builtin("libextnet.so", vm, reserved);
}
