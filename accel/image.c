/*
 * Guest images: ELF executables through libelf (PT_LOAD segments, machine,
 * class and byte order mapped to an ABI row by the rows' own ELF fields,
 * an entry function descriptor followed where the row has them), or a raw
 * binary at an address.
 * Everything is checked against the file's size: a corrupt ELF is an error
 * message, never a read past the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <phc/image.h>
#include "../target-hooks/target.h"
#include "fail.h"

static int slurp(const char *path, phc_image *img, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return PHC_FAIL("%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return PHC_FAIL("%s: not a regular file", path);
    }
    img->storage_len = st.st_size;
    img->storage = malloc(st.st_size ? st.st_size : 1);
    size_t got = 0;
    while (img->storage && got < img->storage_len) {
        ssize_t n = read(fd, (char *)img->storage + got, img->storage_len - got);
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    if (!img->storage || got != img->storage_len) {
        phc_image_free(img);
        return PHC_FAIL("%s: cannot read the file", path);
    }
    return 0;
}

/* The first row whose ELF fields the header's match. */
static const phc_target_row *row_of(unsigned machine, int cls, int data)
{
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_target_ref *r = &phc_target_rows[a];
        const phc_target_row *row = &r->target->rows[r->row];
        if (row->elf_machine == machine && (!row->elf_class || row->elf_class == cls) &&
            (!row->elf_data || row->elf_data == data))
            return row;
    }
    return NULL;
}

static int load_segments(Elf *elf, phc_image *img, const char *path, char *err, size_t errlen)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return PHC_FAIL("%s: corrupt ELF program headers: %s", path, elf_errmsg(-1));
    img->segs = calloc(n ? n : 1, sizeof(*img->segs));
    if (!img->segs)
        return PHC_FAIL("%s: out of memory", path);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, i, &ph))
            return PHC_FAIL("%s: corrupt ELF program header %zu", path, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        /* a segment with no file bytes (bss only) may name any offset */
        bool in_file = ph.p_filesz == 0 ||
                       (ph.p_offset <= img->storage_len && ph.p_filesz <= img->storage_len - ph.p_offset);
        if (ph.p_filesz > ph.p_memsz || !in_file || ph.p_paddr + ph.p_memsz < ph.p_paddr)
            return PHC_FAIL("%s: ELF segment %zu lies outside the file or the address space", path, i);
        img->segs[img->nsegs++] = (phc_segment){
            .addr = ph.p_paddr,
            .data = (const uint8_t *)img->storage + (ph.p_filesz ? ph.p_offset : 0),
            .filesz = ph.p_filesz,
            .memsz = ph.p_memsz,
        };
    }
    if (img->nsegs == 0)
        return PHC_FAIL("%s: the ELF file has nothing to load", path);
    return 0;
}

/* A word of @bytes at @p in byte order @endian. */
static uint64_t word_at(const uint8_t *p, unsigned bytes, phc_endian endian)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = v << 8 | p[endian == PHC_BIG_ENDIAN ? i : bytes - 1 - i];
    return v;
}

/* An entry that is a function descriptor (the row's elf_entry_desc) gives
 * the code address and the TOC pointer; any other entry is code. */
static int follow_entry_descriptor(Elf *elf, const GElf_Ehdr *eh, const phc_target_row *row, phc_image *img,
                                   const char *path, char *err, size_t errlen)
{
    const phc_target_entry_desc *desc = &row->elf_entry_desc;
    size_t shstrndx;
    if (!desc->section || (eh->e_flags & desc->flags_mask) == desc->flags_none ||
        elf_getshdrstrndx(elf, &shstrndx) != 0)
        return 0;
    unsigned word = row->abi.reg_bits / 8;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
        if (!name || strcmp(name, desc->section) != 0 || img->entry < sh.sh_addr ||
            img->entry - sh.sh_addr >= sh.sh_size)
            continue;
        uint64_t off = sh.sh_offset + (img->entry - sh.sh_addr);
        if (sh.sh_type != SHT_PROGBITS || sh.sh_size - (img->entry - sh.sh_addr) < 2 * word ||
            off > img->storage_len || img->storage_len - off < 2 * word)
            return PHC_FAIL("%s: the entry's function descriptor lies outside the file", path);
        const uint8_t *d = (const uint8_t *)img->storage + off;
        img->entry = word_at(d, word, row->abi.endian);
        img->toc = word_at(d + word, word, row->abi.endian);
        return 0;
    }
    return 0;
}

int phc_image_load_elf(const char *path, phc_image *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof(*img));
    if (slurp(path, img, err, errlen) != 0)
        return -1;
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory(img->storage, img->storage_len);
    GElf_Ehdr eh;
    const phc_target_row *row = NULL;
    int rc = -1;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
        rc = PHC_FAIL("%s: not an ELF file", path);
    else if (eh.e_type != ET_EXEC)
        rc = PHC_FAIL("%s: not an ELF executable (e_type %u)", path, eh.e_type);
    else if (!(row = row_of(eh.e_machine, eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA])))
        rc = PHC_FAIL("%s: ELF machine %u (class %u, data %u) is no architecture phc runs", path,
             eh.e_machine, eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA]);
    else
        rc = load_segments(elf, img, path, err, errlen);
    img->abi = row ? &row->abi : NULL;
    img->entry = rc == 0 ? eh.e_entry : 0;
    if (rc == 0)
        rc = follow_entry_descriptor(elf, &eh, row, img, path, err, errlen);
    if (elf)
        elf_end(elf);
    if (rc != 0)
        phc_image_free(img);
    return rc;
}

int phc_image_load_raw(const char *path, uint64_t addr, phc_image *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof(*img));
    if (slurp(path, img, err, errlen) != 0)
        return -1;
    if (img->storage_len == 0 || addr + img->storage_len < addr) {
        phc_image_free(img);
        return PHC_FAIL("%s: empty, or does not fit at 0x%llx", path, (unsigned long long)addr);
    }
    img->segs = malloc(sizeof(*img->segs));
    if (!img->segs) {
        phc_image_free(img);
        return PHC_FAIL("%s: out of memory", path);
    }
    img->segs[0] = (phc_segment){ .addr = addr, .data = img->storage,
                                  .filesz = img->storage_len, .memsz = img->storage_len };
    img->nsegs = 1;
    img->entry = addr;
    return 0;
}

uint64_t phc_image_end(const phc_image *img)
{
    uint64_t end = 0;
    for (size_t i = 0; i < img->nsegs; i++)
        if (img->segs[i].addr + img->segs[i].memsz > end)
            end = img->segs[i].addr + img->segs[i].memsz;
    return end;
}

void phc_image_free(phc_image *img)
{
    free(img->segs);
    free(img->storage);
    memset(img, 0, sizeof(*img));
}
