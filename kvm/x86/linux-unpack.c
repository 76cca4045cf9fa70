/*
 * Host-side unpacking of a bzImage's kernel: XZ through liblzma (what Debian
 * and most distributions ship), then the ELF's load segments by physical
 * address. Every size comes from the untrusted image, so each is checked
 * against the buffer it indexes before use.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>
#include "linux-unpack.h"
#ifdef PHC_HAVE_LZMA
#include <lzma.h>
#include "../../accel/fail.h"
#endif

#define HDR_OFFSET 0x1f1u
#define SECTOR 512u
#define SIZE_TRAILER 4 /* the payload ends with the unpacked size, little-endian */
#define XZ_MEMLIMIT (64u << 20)

static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

#ifdef PHC_HAVE_LZMA
static int unpack_xz(const uint8_t *in, size_t in_size, size_t max_size, uint8_t **out,
                     size_t *out_size, char *err, size_t errlen)
{
    uint32_t declared;
    memcpy(&declared, in + in_size - SIZE_TRAILER, sizeof(declared));
    if (declared == 0 || declared > max_size)
        return PHC_FAIL("bzImage: the XZ payload says it unpacks to %u bytes, the header allows %zu",
                        declared, max_size);
    uint8_t *buf = malloc(declared);
    if (!buf)
        return PHC_FAIL("bzImage: out of memory for %u unpacked bytes", declared);
    uint64_t memlimit = XZ_MEMLIMIT;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret rc = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos,
                                            in_size - SIZE_TRAILER, buf, &out_pos, declared);
    if (rc != LZMA_OK || out_pos != declared) {
        free(buf);
        return PHC_FAIL("bzImage: the XZ payload does not unpack (liblzma error %d after %zu bytes)",
                        (int)rc, out_pos);
    }
    *out = buf;
    *out_size = declared;
    return 1;
}
#endif

int kvm_x86_linux_unpack(const uint8_t *kernel, size_t size, size_t max_size, uint8_t **out,
                         size_t *out_size, char *err, size_t errlen)
{
    struct setup_header hdr;
    memcpy(&hdr, kernel + HDR_OFFSET, sizeof(hdr));
    if (hdr.version < 0x0208)
        return 0; /* no payload_offset: only the guest knows where its kernel is */
    uint64_t setup = ((uint64_t)(hdr.setup_sects ? hdr.setup_sects : 4) + 1) * SECTOR;
    uint64_t start = setup + hdr.payload_offset, len = hdr.payload_length;
    if (start > size || len > size - start)
        return PHC_FAIL("bzImage: payload at 0x%llx (%llu bytes) lies outside the file",
                        (unsigned long long)start, (unsigned long long)len);
    if (len < sizeof(xz_magic) + SIZE_TRAILER || memcmp(kernel + start, xz_magic, sizeof(xz_magic)))
        return 0;
#ifdef PHC_HAVE_LZMA
    return unpack_xz(kernel + start, len, max_size, out, out_size, err, errlen);
#else
    (void)max_size, (void)out, (void)out_size, (void)err, (void)errlen;
    return 0;
#endif
}

int kvm_x86_vmlinux_place(uint8_t *ram, uint64_t lo, uint64_t hi, const uint8_t *elf, size_t size,
                          uint64_t *entry, char *err, size_t errlen)
{
    Elf64_Ehdr eh;
    if (size < sizeof(eh) || memcmp(elf, ELFMAG, SELFMAG) != 0)
        return PHC_FAIL("bzImage: the unpacked kernel is not an ELF");
    memcpy(&eh, elf, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC || eh.e_phentsize != sizeof(Elf64_Phdr))
        return PHC_FAIL("bzImage: the unpacked kernel is not a 64-bit x86 executable");
    if (eh.e_phoff > size || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > size - eh.e_phoff)
        return PHC_FAIL("bzImage: the unpacked kernel's program headers lie outside it");
    bool entry_loaded = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return PHC_FAIL("bzImage: unpacked kernel segment %u lies outside the file", i);
        if (ph.p_paddr < lo || ph.p_paddr > hi || ph.p_memsz > hi - ph.p_paddr)
            return PHC_FAIL("bzImage: unpacked kernel segment %u at 0x%llx+0x%llx is outside "
                            "[0x%llx, 0x%llx)", i, (unsigned long long)ph.p_paddr,
                            (unsigned long long)ph.p_memsz, (unsigned long long)lo,
                            (unsigned long long)hi);
        memcpy(ram + ph.p_paddr, elf + ph.p_offset, ph.p_filesz);
        memset(ram + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
        if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_filesz)
            entry_loaded = true;
    }
    if (!entry_loaded)
        return PHC_FAIL("bzImage: the unpacked kernel's entry 0x%llx is in none of its segments",
                        (unsigned long long)eh.e_entry);
    *entry = eh.e_entry;
    return 0;
}
