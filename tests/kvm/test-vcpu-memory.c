/*
 * Handler memory on a KVM vCPU (kvm/x86/vcpu-ops.c) as a Linux process hands it
 * over: a pointer into its own pages, the call made at CPL 3 while the guest
 * kernel runs with SMAP on. The vCPU is a kvm_run area filled here as KVM
 * fills it at an exit, over page tables built by hand; no KVM needed.
 * KVM_TRANSLATE walks as the guest kernel, so SMAP made it refuse every user
 * page (Debian's kernel: the console write from /init gave -14).
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "cpu.h"

#define RAM (1u << 20)
#define P 0x1u
#define W 0x2u
#define U 0x4u
#define CR4_PAE (1u << 5)
#define CR4_SMAP (1u << 21)

static kvm_x86_machine machine;
static kvm_x86_cpu cpu;

static void put64(uint64_t addr, uint64_t v) { memcpy(machine.vm.ram + addr, &v, 8); }

/*
 * User pages at linear 0x400000 (-> 0x30000), 0x401000 (-> 0x20000: not
 * physically next), 0x402000 read-only (-> 0x31000), 0x403000 kernel only
 * (-> 0x32000), 0x404000 not present.
 */
static void page_tables(void)
{
    put64(0x1000, 0x2000 | P | W | U);
    put64(0x2000, 0x3000 | P | W | U);
    put64(0x3000 + 2 * 8, 0x4000 | P | W | U);
    put64(0x4000 + 0 * 8, 0x30000 | P | W | U);
    put64(0x4000 + 1 * 8, 0x20000 | P | W | U);
    put64(0x4000 + 2 * 8, 0x31000 | P | U);
    put64(0x4000 + 3 * 8, 0x32000 | P | W);
    struct kvm_sregs *sr = &cpu.run->s.regs.sregs;
    sr->cr0 = 0x80010011; /* PG WP ET PE */
    sr->cr3 = 0x1000;
    sr->cr4 = CR4_PAE | CR4_SMAP;
    sr->efer = 0x500;
    sr->cs.l = 1;
    sr->cs.dpl = sr->ss.dpl = 3; /* a process made the call */
}

static int rd(uint64_t gva, void *buf, size_t len) { return kvm_x86_cpu_ops.read_mem(&cpu.vcpu, gva, buf, len); }
static int wr(uint64_t gva, const void *buf, size_t len) { return kvm_x86_cpu_ops.write_mem(&cpu.vcpu, gva, buf, len); }

int main(void)
{
    machine.vm.ram = calloc(1, RAM);
    machine.vm.ram_size = RAM;
    cpu.run = calloc(1, sizeof(*cpu.run));
    cpu.machine = &machine;
    cpu.fd = -1; /* no KVM: nothing may need an ioctl */
    cpu.vcpu.ops = &kvm_x86_cpu_ops;
    page_tables();

    /* A string across the page boundary, its halves on unrelated frames. */
    const char text[] = "crosses the page boundary";
    size_t head = 10;
    memcpy(machine.vm.ram + 0x30000 + 0x1000 - head, text, head);
    memcpy(machine.vm.ram + 0x20000, text + head, sizeof(text) - head);
    char got[sizeof(text)] = { 0 };
    CHECK(rd(0x401000 - head, got, sizeof(text)) == 0, "user read across a page boundary refused");
    CHECK(memcmp(got, text, sizeof(text)) == 0, "read %.*s", (int)sizeof(got), got);

    const char reply[] = "written back";
    CHECK(wr(0x401000 - 4, reply, sizeof(reply)) == 0, "user write across a page boundary refused");
    CHECK(memcmp(machine.vm.ram + 0x30ffc, reply, 4) == 0 &&
          memcmp(machine.vm.ram + 0x20000, reply + 4, sizeof(reply) - 4) == 0,
          "the write did not land on both frames");

    /* Refused as the process would be refused, with nothing written. */
    uint8_t before[16], buf[32];
    memcpy(before, machine.vm.ram + 0x20ff0, sizeof(before));
    memset(buf, 0xa5, sizeof(buf));
    CHECK(wr(0x401ff0, buf, sizeof(buf)) != 0, "a write running into a read-only page went through");
    CHECK(memcmp(before, machine.vm.ram + 0x20ff0, sizeof(before)) == 0, "a refused write changed memory");
    CHECK(rd(0x402ff0, buf, sizeof(buf)) != 0, "a read running into a kernel-only page went through");
    CHECK(rd(0x403ff0, buf, sizeof(buf)) != 0 && rd(0x404000, buf, 1) != 0,
          "a read of a kernel-only or missing page went through");
    CHECK(rd(0x402000, buf, sizeof(buf)) == 0, "a read-only user page refused a read");

    /* The kernel itself may read any page it maps. */
    cpu.run->s.regs.sregs.cs.dpl = cpu.run->s.regs.sregs.ss.dpl = 0;
    CHECK(rd(0x403000, buf, sizeof(buf)) == 0, "a kernel read of a kernel page refused");

    free(cpu.run);
    free(machine.vm.ram);
    return check_report("KVM handler memory at the caller's rights");
}
