#ifndef LEADLINE_CLINUX_SHIM_H
#define LEADLINE_CLINUX_SHIM_H
// Linux interfaces Glibc's Swift module leaves out: epoll and eventfd (the server's
// poll thread), CPU affinity (the benchmark's load generator), and malloc_trim (the server, after big transient
// buffers). (No _GNU_SOURCE: it would change types Dispatch shares.)
#include <malloc.h>
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
#endif
