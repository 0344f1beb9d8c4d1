/*
 * faultinject.c: a test-only LD_PRELOAD library that makes writes (or fsyncs) to chosen files fail,
 * so the process tests can give the real crystal-db executable, JVM or native, a disk that fills
 * or an I/O error at a chosen point: what no test on a healthy disk can reach.
 *
 *   CRYSTAL_FAULT_PATH   substring of a file's path (as /proc/self/fd shows it): only those files fail
 *   CRYSTAL_FAULT_ERRNO  ENOSPC (default: the disk is full) or EIO (the disk failed)
 *   CRYSTAL_FAULT_AFTER  bytes written to such files before writes fail (default 0)
 *   CRYSTAL_FAULT_FSYNC  set: fsync and fdatasync of such files fail instead of their writes
 *
 * Built by the tests (src/test/java/dev/crystaldb/it/FaultInjection.java) with gcc; never shipped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written;

static int targeted(int fd) {
    const char *wanted = getenv("CRYSTAL_FAULT_PATH");
    if (wanted == NULL || *wanted == '\0') {
        return 0;
    }
    char link[64];
    char path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) {
        return 0;
    }
    path[n] = '\0';
    return strstr(path, wanted) != NULL;
}

static int fault_errno(void) {
    const char *name = getenv("CRYSTAL_FAULT_ERRNO");
    return name != NULL && strcmp(name, "EIO") == 0 ? EIO : ENOSPC;
}

/* true when a write of count bytes to fd must fail */
static int write_fails(int fd, size_t count) {
    if (getenv("CRYSTAL_FAULT_FSYNC") != NULL || !targeted(fd)) {
        return 0;
    }
    const char *after = getenv("CRYSTAL_FAULT_AFTER");
    long long allowed = after == NULL ? 0 : atoll(after);
    long long before = __atomic_fetch_add(&written, (long long) count, __ATOMIC_SEQ_CST);
    return before + (long long) count > allowed;
}

static int sync_fails(int fd) {
    return getenv("CRYSTAL_FAULT_FSYNC") != NULL && targeted(fd);
}

/* the next definition of name (libc's), looked up once */
#define REAL(name) static __typeof__(&name) real_##name; if (real_##name == NULL) real_##name = (__typeof__(&name)) dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buffer, size_t count) {
    REAL(write);
    if (write_fails(fd, count)) { errno = fault_errno(); return -1; }
    return real_write(fd, buffer, count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    REAL(pwrite);
    if (write_fails(fd, count)) { errno = fault_errno(); return -1; }
    return real_pwrite(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off64_t offset) {
    REAL(pwrite64);
    if (write_fails(fd, count)) { errno = fault_errno(); return -1; }
    return real_pwrite64(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec *vector, int count) {
    REAL(writev);
    size_t total = 0;
    for (int i = 0; i < count; i++) {
        total += vector[i].iov_len;
    }
    if (write_fails(fd, total)) { errno = fault_errno(); return -1; }
    return real_writev(fd, vector, count);
}

ssize_t copy_file_range(int in, off64_t *in_offset, int out, off64_t *out_offset, size_t count, unsigned int flags) {
    REAL(copy_file_range);
    if (write_fails(out, count)) { errno = fault_errno(); return -1; }
    return real_copy_file_range(in, in_offset, out, out_offset, count, flags);
}

ssize_t sendfile(int out, int in, off_t *offset, size_t count) {
    REAL(sendfile);
    if (write_fails(out, count)) { errno = fault_errno(); return -1; }
    return real_sendfile(out, in, offset, count);
}

ssize_t sendfile64(int out, int in, off64_t *offset, size_t count) {
    REAL(sendfile64);
    if (write_fails(out, count)) { errno = fault_errno(); return -1; }
    return real_sendfile64(out, in, offset, count);
}

int fsync(int fd) {
    REAL(fsync);
    if (sync_fails(fd)) { errno = fault_errno(); return -1; }
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    if (sync_fails(fd)) { errno = fault_errno(); return -1; }
    return real_fdatasync(fd);
}
