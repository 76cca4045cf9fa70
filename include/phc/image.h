/* A guest image as loaded from a file: segments to copy into guest memory. */
#ifndef PHC_IMAGE_H
#define PHC_IMAGE_H

#include <phc/abi.h>

typedef struct phc_segment {
    uint64_t addr;       /* guest physical == virtual load address */
    const uint8_t *data; /* filesz bytes; the rest up to memsz is zero */
    uint64_t filesz;
    uint64_t memsz;
} phc_segment;

typedef struct phc_image {
    const phc_abi *abi; /* from the ELF header; NULL for a raw binary */
    uint64_t entry;     /* where code starts (through an entry descriptor where the ABI has them) */
    uint64_t toc;       /* the entry descriptor's TOC pointer; else 0 */
    phc_segment *segs;
    size_t nsegs;
    void *storage;      /* owned file contents */
    size_t storage_len;
} phc_image;

/* 0 on success; -1 with a one-line reason in @err. */
int phc_image_load_elf(const char *path, phc_image *img, char *err, size_t errlen);
int phc_image_load_raw(const char *path, uint64_t addr, phc_image *img, char *err, size_t errlen);
/* Highest end address of any segment. */
uint64_t phc_image_end(const phc_image *img);
void phc_image_free(phc_image *img);

#endif
