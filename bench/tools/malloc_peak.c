/* Peak live heap bytes of a process: an LD_PRELOAD shim that counts what malloc and its kin hand out and get back
 * (malloc_usable_size of each block) and prints the live and peak totals at exit. RSS mixes live memory with what the
 * allocator holds back; this separates the two. Both sides of the dcgan28 comparison allocate tensors through malloc
 * (libtorch's CPU allocator calls posix_memalign); the .NET GC heap and Python's small-object arenas are not counted.
 *
 *   gcc -O2 -shared -fPIC -o /tmp/malloc_peak.so bench/tools/malloc_peak.c
 *   LD_PRELOAD=/tmp/malloc_peak.so bench/GanForge.Bench/bin/Release/net10.0/GanForge.Bench dcgan28 --child
 *   LD_PRELOAD=/tmp/malloc_peak.so /usr/bin/python3 bench/reference/pytorch_dcgan28.py
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic long live, peak;

static void counted(void *block)
{
    if (!block) return;
    long size = (long)malloc_usable_size(block);
    long now = atomic_fetch_add(&live, size) + size;
    long seen = atomic_load(&peak);
    while (now > seen && !atomic_compare_exchange_weak(&peak, &seen, now)) {}
}

static void released(void *block)
{
    if (block) atomic_fetch_sub(&live, (long)malloc_usable_size(block));
}

void *malloc(size_t size) { void *block = __libc_malloc(size); counted(block); return block; }
void free(void *block) { released(block); __libc_free(block); }
void *calloc(size_t count, size_t size) { void *block = __libc_calloc(count, size); counted(block); return block; }
void *memalign(size_t alignment, size_t size) { void *block = __libc_memalign(alignment, size); counted(block); return block; }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

void *realloc(void *old, size_t size)
{
    long before = old ? (long)malloc_usable_size(old) : 0;
    void *block = __libc_realloc(old, size);
    if (!block && size) return NULL; /* the old block is untouched */
    atomic_fetch_sub(&live, before);
    counted(block);
    return block;
}

int posix_memalign(void **result, size_t alignment, size_t size)
{
    void *block = __libc_memalign(alignment, size);
    if (!block) return ENOMEM;
    counted(block);
    *result = block;
    return 0;
}

__attribute__((destructor)) static void report(void)
{
    char line[96];
    int length = snprintf(line, sizeof line, "malloc.live %ld MB\nmalloc.peak %ld MB\n", live >> 20, peak >> 20);
    if (length > 0) (void)!write(2, line, (size_t)length);
}
