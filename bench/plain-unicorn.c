/* Bare Unicorn runs of a benchmark guest: the TCG baselines. */
#include <stdio.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <phc/builtins.h>
#include <phc/sentinel.h>
#include "plain-unicorn.h"

/* x86 general registers in ISA order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15). */
static const int x86_gpr[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

typedef struct engine {
    phc_arch arch;
    uc_arch uc_arch;
    uc_mode uc_mode;
    int pc_reg;
    const int *gpr_table; /* ISA number -> Unicorn id, or NULL: gpr_base + n */
    int gpr_base;
} engine;

static const engine engines[] = {
    { PHC_ARCH_X86_64, UC_ARCH_X86, UC_MODE_64, UC_X86_REG_RIP, x86_gpr, 0 },
    { PHC_ARCH_MIPS, UC_ARCH_MIPS, UC_MODE_MIPS32 | UC_MODE_BIG_ENDIAN, UC_MIPS_REG_PC, NULL,
      UC_MIPS_REG_0 },
    { PHC_ARCH_AARCH64, UC_ARCH_ARM64, UC_MODE_ARM, UC_ARM64_REG_PC, NULL, UC_ARM64_REG_X0 },
    { PHC_ARCH_RISCV64, UC_ARCH_RISCV, UC_MODE_RISCV64, UC_RISCV_REG_PC, NULL, UC_RISCV_REG_X0 },
};

static const engine *engine_for(phc_arch arch)
{
    for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
        if (engines[i].arch == arch)
            return &engines[i];
    return NULL;
}

/* x86's `outl %eax, $0x88`, the bytes a naive per-instruction hook compares. */
static const uint8_t x86_sentinel[] = { 0xe7, PHC_X86_HYPERCALL_PORT };

typedef struct catch_all {
    uint8_t sentinel[4];
    size_t len;
    uint64_t hits;
} catch_all;

static void catch_all_hook(uc_engine *uc, uint64_t address, uint32_t size, void *opaque)
{
    catch_all *c = opaque;
    uint8_t insn[4];
    if (size >= c->len && uc_mem_read(uc, address, insn, c->len) == UC_ERR_OK &&
        !memcmp(insn, c->sentinel, c->len))
        c->hits++;
}

static void empty_code_hook(uc_engine *uc, uint64_t address, uint32_t size, void *opaque)
{
    (void)uc, (void)address, (void)size, (void)opaque;
}

static void empty_out_hook(uc_engine *uc, uint32_t port, int size, uint32_t value, void *opaque)
{
    (void)uc, (void)port, (void)size, (void)value, (void)opaque;
}

/* The registers a hypercall reads (number, arguments) and the one it answers in. */
typedef struct minimal {
    int ids[1 + PHC_NARGS];
    int count;
    int ret_id;
} minimal;

static void minimal_init(minimal *h, const engine *eng, const phc_abi *abi)
{
    h->count = 0;
    for (phc_slot s = PHC_SLOT_NR; s <= PHC_SLOT_ARG5; s++) {
        unsigned gpr = abi->gpr[s];
        if (gpr != PHC_GPR_NONE)
            h->ids[h->count++] = eng->gpr_table ? eng->gpr_table[gpr] : eng->gpr_base + (int)gpr;
    }
    unsigned ret = abi->gpr[PHC_SLOT_RET];
    h->ret_id = eng->gpr_table ? eng->gpr_table[ret] : eng->gpr_base + (int)ret;
}

static void minimal_call(uc_engine *uc, const minimal *h)
{
    uint64_t vals[1 + PHC_NARGS] = { 0 };
    void *ptrs[1 + PHC_NARGS];
    for (int i = 0; i < h->count; i++)
        ptrs[i] = &vals[i];
    uc_reg_read_batch(uc, (int *)h->ids, ptrs, h->count);
    if ((uint32_t)vals[0] == PHC_NR_TEST) {
        uint64_t answer = PHC_TEST_ANSWER;
        uc_reg_write(uc, h->ret_id, &answer);
    }
}

static void minimal_code_hook(uc_engine *uc, uint64_t address, uint32_t size, void *opaque)
{
    (void)address, (void)size;
    minimal_call(uc, opaque);
}

static void minimal_out_hook(uc_engine *uc, uint32_t port, int size, uint32_t value, void *opaque)
{
    (void)value;
    if (port == PHC_X86_HYPERCALL_PORT && size == 4)
        minimal_call(uc, opaque);
}

/* A code hook bounded to each sentinel in the loop, as a careful embedder would. */
static uc_err hook_sentinels(uc_engine *uc, const phc_image *img, uc_cb_hookcode_t fn, void *opaque)
{
    uc_hook h;
    for (size_t i = 0; i < img->nsegs; i++) {
        const phc_segment *s = &img->segs[i];
        for (uint64_t off = 0; off + 4 <= s->filesz; off += 4) {
            uint64_t addr = s->addr + off;
            if (addr >= BENCH_TEXT_ADDR && addr < BENCH_DONE_ADDR &&
                phc_sentinel_match(img->abi->arch, PHC_ISA_DEFAULT, s->data + off, 4)) {
                uc_err e = uc_hook_add(uc, &h, UC_HOOK_CODE, fn, opaque, addr, addr);
                if (e != UC_ERR_OK)
                    return e;
            }
        }
    }
    return UC_ERR_OK;
}

static uc_err add_hooks(uc_engine *uc, const plain_unicorn *p, catch_all *c, minimal *m)
{
    const phc_image *img = &p->guest->image;
    bool x86 = img->abi->arch == PHC_ARCH_X86_64;
    uc_hook h;
    switch (p->hooks) {
    case PLAIN_NO_HOOKS:
        return UC_ERR_OK;
    case PLAIN_CATCH_ALL:
        if (x86) {
            memcpy(c->sentinel, x86_sentinel, sizeof(x86_sentinel));
            c->len = sizeof(x86_sentinel);
        } else {
            c->len = phc_sentinel_bytes(img->abi->arch, PHC_ISA_DEFAULT, c->sentinel);
        }
        return uc_hook_add(uc, &h, UC_HOOK_CODE, catch_all_hook, c, 1, 0);
    case PLAIN_EMPTY_HOOK:
        return x86 ? uc_hook_add(uc, &h, UC_HOOK_INSN, empty_out_hook, NULL, 1, 0, UC_X86_INS_OUT)
                   : hook_sentinels(uc, img, empty_code_hook, NULL);
    case PLAIN_MINIMAL_HOOK:
        return x86 ? uc_hook_add(uc, &h, UC_HOOK_INSN, minimal_out_hook, m, 1, 0, UC_X86_INS_OUT)
                   : hook_sentinels(uc, img, minimal_code_hook, m);
    }
    return UC_ERR_ARG;
}

double plain_unicorn_run(void *ctx, uint64_t n, char *err, size_t errlen)
{
    plain_unicorn *p = ctx;
    const phc_image *img = &p->guest->image;
    const engine *eng = engine_for(img->abi->arch);
    if (!eng) {
        snprintf(err, errlen, "no plain-Unicorn baseline for %s", img->abi->name);
        return -1;
    }
    bench_guest_set_count(p->guest, n);

    double t0 = bench_cpu_now();
    uc_engine *uc;
    uc_err e = uc_open(eng->uc_arch, eng->uc_mode, &uc);
    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "uc_open: %s", uc_strerror(e));
        return -1;
    }
    catch_all c = { 0 };
    minimal m;
    minimal_init(&m, eng, img->abi);
    e = uc_mem_map(uc, 0, BENCH_MEM_SIZE, UC_PROT_ALL);
    for (size_t i = 0; e == UC_ERR_OK && i < img->nsegs; i++)
        e = uc_mem_write(uc, img->segs[i].addr, img->segs[i].data, img->segs[i].filesz);
    if (e == UC_ERR_OK)
        e = add_hooks(uc, p, &c, &m);
    if (e == UC_ERR_OK)
        e = uc_emu_start(uc, img->entry, BENCH_DONE_ADDR, 0, 0);
    uint64_t pc = 0;
    uc_reg_read(uc, eng->pc_reg, &pc);
    uc_close(uc);
    double t = bench_cpu_now() - t0;

    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "plain Unicorn: %s", uc_strerror(e));
        return -1;
    }
    if (pc != BENCH_DONE_ADDR) {
        snprintf(err, errlen, "plain Unicorn stopped at 0x%llx, not at the loop's end",
                 (unsigned long long)pc);
        return -1;
    }
    return t;
}
