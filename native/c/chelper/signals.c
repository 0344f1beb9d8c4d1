/*
 * crystal-db: Java signal handlers for the image (com.oracle.svm.core.posix.headers.CSunMiscSignal),
 * what jdk.internal.misc.Signal.handle() installs: Quarkus's shutdown on SIGINT/SIGTERM/SIGHUP.
 *
 * The C handler only counts the signal and posts a semaphore (both async-signal-safe); the image's
 * "Signal Dispatcher" thread waits on the semaphore and runs the Java handler of each pending signal.
 */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

static volatile sig_atomic_t pending[NSIG]; /* only changed with atomic builtins */
static sem_t dispatch;
static bool opened;

/* 0: ready; 1: already in use (by another isolate); -1 with errno: failed. */
int cSunMiscSignal_open(void) {
    if (opened) {
        return 1;
    }
    memset((void *) pending, 0, sizeof pending);
    if (sem_init(&dispatch, 0, 0) != 0) {
        return -1;
    }
    opened = true;
    return 0;
}

int cSunMiscSignal_close(void) {
    if (opened && sem_destroy(&dispatch) != 0) {
        return -1;
    }
    opened = false;
    return 0;
}

/* Blocks until a signal arrives or signalSemaphore() is called; 0 when woken, -1 on error. */
int cSunMiscSignal_awaitSemaphore(void) {
    if (!opened) {
        errno = EINVAL;
        return -1;
    }
    while (sem_wait(&dispatch) != 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

int cSunMiscSignal_signalSemaphore(void) {
    if (!opened) {
        errno = EINVAL;
        return -1;
    }
    return sem_post(&dispatch);
}

bool cSunMiscSignal_signalRangeCheck(int signal_number) {
    return signal_number > 0 && signal_number < NSIG;
}

/* A signal that arrived and was not dispatched yet (one at a time), or -1. */
int cSunMiscSignal_checkPendingSignal(void) {
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        sig_atomic_t count = pending[signal_number];
        while (count > 0) {
            if (__atomic_compare_exchange_n(&pending[signal_number], &count, count - 1, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                return signal_number;
            }
        }
    }
    return -1;
}

static void count_and_wake(int signal_number) {
    int saved = errno;
    if (signal_number > 0 && signal_number < NSIG) {
        __atomic_add_fetch(&pending[signal_number], 1, __ATOMIC_SEQ_CST);
        if (opened) {
            sem_post(&dispatch);
        }
    }
    errno = saved;
}

void *cSunMiscSignal_signalHandlerFunctionPointer(void) {
    return (void *) count_and_wake;
}
