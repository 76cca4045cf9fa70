/*
 * The guest loader on arbitrary bytes: whatever the file holds, loading
 * either fails with one line of reason and an empty image, or gives segments
 * that lie inside the loaded file, do not wrap the address space, and an ABI
 * row. Every byte of every segment is read here, so a segment reaching past
 * the buffer is an ASan report, not a silent pass.
 */
#define _GNU_SOURCE /* memfd_create */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <phc/image.h>
#include "input.h"

static int guest_file(void)
{
    static int fd = -1;
    if (fd < 0)
        fd = memfd_create("phc-fuzz-elf", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0, "memfd");
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = guest_file();
    FUZZ_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "write");
    char path[64], err[512];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    phc_image img;
    memset(err, 0, sizeof(err));
    if (phc_image_load_elf(path, &img, err, sizeof(err)) != 0) {
        FUZZ_CHECK(err[0] && !strchr(err, '\n'), "reason '%s'", err);
        FUZZ_CHECK(!img.segs && !img.storage && img.nsegs == 0, "failed load left an image");
        return 0;
    }
    FUZZ_CHECK(img.abi && img.nsegs > 0 && img.storage_len == size, "image");
    const uint8_t *base = img.storage;
    unsigned sum = 0;
    for (size_t i = 0; i < img.nsegs; i++) {
        const phc_segment *s = &img.segs[i];
        FUZZ_CHECK(s->filesz <= s->memsz && s->addr + s->memsz >= s->addr, "segment %zu shape", i);
        FUZZ_CHECK(s->data >= base && s->filesz <= size && s->data - base <= (ptrdiff_t)(size - s->filesz),
                   "segment %zu outside the file", i);
        FUZZ_CHECK(memcmp(s->data, data + (s->data - base), s->filesz) == 0, "segment %zu bytes", i);
        for (uint64_t b = 0; b < s->filesz; b++)
            sum += s->data[b];
        FUZZ_CHECK(phc_image_end(&img) >= s->addr + s->memsz, "image end");
    }
    (void)sum;
    phc_image_free(&img);
    return 0;
}
