/*
 * Exact sentinel matching. Every architecture but x86 has one 32-bit word
 * (after byte order) that is a hypercall, and nothing else is. x86 is port
 * semantics: one kind of IO event.
 */
#ifndef PHC_SENTINEL_H
#define PHC_SENTINEL_H

#include <phc/abi.h>
#include <phc/numbers.h>

/* Instruction-set state that changes how bytes decode (ARM32 only today). */
typedef enum phc_isa {
    PHC_ISA_DEFAULT,
    PHC_ISA_A32 = PHC_ISA_DEFAULT,
    PHC_ISA_T32,
} phc_isa;

/* The sentinel of a word-sentinel architecture, in instruction order. For
 * T32 the word is first halfword << 16 | second halfword. */
uint32_t phc_sentinel_word(phc_arch arch, phc_isa isa);

/* Does the instruction word (already in instruction order) match exactly? */
bool phc_sentinel_match_word(phc_arch arch, phc_isa isa, uint32_t word);

/* The sentinel as it lies in guest memory; returns 4, or 0 for x86. */
size_t phc_sentinel_bytes(phc_arch arch, phc_isa isa, uint8_t out[4]);

/*
 * Does the code at @bytes (@len bytes available, guest memory order) start
 * with the sentinel? Returns the sentinel's length in bytes, or 0. Never
 * reads past @len. Not for x86: use phc_x86_io_is_hypercall.
 */
size_t phc_sentinel_match(phc_arch arch, phc_isa isa, const uint8_t *bytes, size_t len);

typedef enum phc_io_dir { PHC_IO_IN, PHC_IO_OUT } phc_io_dir;

/* An x86 port access as a KVM exit or an emulator reports it. */
typedef struct phc_io_event {
    phc_io_dir dir;
    uint16_t port;
    uint8_t size;   /* bytes per access: 1, 2 or 4 */
    uint32_t count; /* accesses (string IO repeats) */
} phc_io_event;

/* Only a single 32-bit OUT to port 0x88 is a hypercall. */
bool phc_x86_io_is_hypercall(const phc_io_event *io);

#endif
