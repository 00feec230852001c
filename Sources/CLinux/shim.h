#ifndef LEADLINE_CLINUX_SHIM_H
#define LEADLINE_CLINUX_SHIM_H
// Linux interfaces Glibc's Swift module leaves out: epoll and eventfd (the server's
// poll thread), CPU affinity (the benchmark's load generator), malloc_trim (the server, after big transient
// buffers) and a thread's own priority (the snapshot writer). (No _GNU_SOURCE: it would change types Dispatch shares.)
#include <malloc.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

// Pins the calling thread to one CPU (sched_setaffinity, through its system call).
static inline int leadline_pin_to_cpu(int cpu) {
    unsigned long mask[16] = {0};
    mask[cpu / (8 * sizeof(unsigned long))] |= 1UL << (cpu % (8 * sizeof(unsigned long)));
    return (int)syscall(SYS_sched_setaffinity, 0, sizeof(mask), mask);
}

// Lowers the calling thread's priority (alone: on Linux a nice value is a thread's):
// `nice` 19 takes the CPU only when nothing else wants it. Raising it back needs
// privilege, so call it on a thread of one's own.
static inline int leadline_lower_thread_priority(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
// The calling thread's nice value.
static inline int leadline_thread_priority(void) {
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}
#endif
