/*
 * The board's device tree, built with libfdt's sequential writer: memory,
 * cpus (PSCI), psci, GICv3, timer, PL011 and its clock, chosen, and the
 * node that offers Penguin hypercalls (method and function-ID range).
 */
#include <stdio.h>
#include <libfdt.h>
#include "board.h"
#include "smccc.h"

#define PHANDLE_GIC 1u
#define PHANDLE_CLOCK 2u

/* GIC interrupt specifier: type, number, flags. */
#define GIC_SPI 0u
#define GIC_PPI 1u
#define IRQ_LEVEL_HIGH 4u

#define TRY(call)                  \
    do {                           \
        int rc_ = (call);          \
        if (rc_ < 0)               \
            return rc_;            \
    } while (0)

uint64_t kvm_arm64_mpidr(unsigned index)
{
    /* KVM's reset MPIDR: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12]. */
    return (index & 0xfu) | (uint64_t)((index >> 4) & 0xffu) << 8 |
           (uint64_t)((index >> 12) & 0xffu) << 16;
}

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t be[16];
    for (unsigned i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, be, n * sizeof(be[0]));
}

/* A reg of (address, size) pairs with two cells each. */
static int prop_reg64(void *fdt, const uint64_t *pairs, unsigned npairs)
{
    uint32_t cells[16];
    for (unsigned i = 0; i < 2 * npairs; i++) {
        cells[2 * i] = (uint32_t)(pairs[i] >> 32);
        cells[2 * i + 1] = (uint32_t)pairs[i];
    }
    return prop_cells(fdt, "reg", cells, 4 * npairs);
}

static int node_memory(void *fdt, const kvm_arm64_board *b)
{
    TRY(fdt_begin_node(fdt, "memory@0"));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    TRY(prop_reg64(fdt, (const uint64_t[]){ 0, b->ram_size }, 1));
    return fdt_end_node(fdt);
}

static int node_cpus(void *fdt, const kvm_arm64_board *b)
{
    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    for (unsigned i = 0; i < b->ncpus; i++) {
        char name[32];
        uint64_t mpidr = kvm_arm64_mpidr(i);
        snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
        TRY(fdt_property_u32(fdt, "reg", (uint32_t)mpidr));
        TRY(fdt_property_string(fdt, "enable-method", "psci"));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

static int node_psci(void *fdt)
{
    TRY(fdt_begin_node(fdt, "psci"));
    /* KVM_ARM_VCPU_PSCI_0_2: the standard function IDs, no cpu_on/off properties. */
    TRY(fdt_property_string(fdt, "compatible", "arm,psci-0.2"));
    TRY(fdt_property_string(fdt, "method", "hvc"));
    return fdt_end_node(fdt);
}

static int node_gic(void *fdt, const kvm_arm64_board *b)
{
    char name[32];
    snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)KVM_ARM64_GIC_DIST);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
    TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
    TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
    TRY(prop_reg64(fdt, (const uint64_t[]){ KVM_ARM64_GIC_DIST, KVM_ARM64_GIC_DIST_SIZE,
                                            KVM_ARM64_GIC_REDIST,
                                            KVM_ARM64_GIC_REDIST_SIZE * b->ncpus }, 2));
    TRY(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
    return fdt_end_node(fdt);
}

static int node_timer(void *fdt)
{
    TRY(fdt_begin_node(fdt, "timer"));
    TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
    TRY(prop_cells(fdt, "interrupts", (const uint32_t[]){
        GIC_PPI, KVM_ARM64_TIMER_PPI_SEC, IRQ_LEVEL_HIGH,
        GIC_PPI, KVM_ARM64_TIMER_PPI_NS, IRQ_LEVEL_HIGH,
        GIC_PPI, KVM_ARM64_TIMER_PPI_VIRT, IRQ_LEVEL_HIGH,
        GIC_PPI, KVM_ARM64_TIMER_PPI_HYP, IRQ_LEVEL_HIGH }, 12));
    TRY(fdt_property(fdt, "always-on", NULL, 0));
    return fdt_end_node(fdt);
}

static int node_clock(void *fdt)
{
    TRY(fdt_begin_node(fdt, "apb-pclk"));
    TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
    TRY(fdt_property_u32(fdt, "#clock-cells", 0));
    TRY(fdt_property_u32(fdt, "clock-frequency", KVM_ARM64_UART_CLOCK_HZ));
    TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
    TRY(fdt_property_u32(fdt, "phandle", PHANDLE_CLOCK));
    return fdt_end_node(fdt);
}

static const char uart_compatible[] = "arm,pl011\0arm,primecell";
static const char uart_clock_names[] = "uartclk\0apb_pclk";

static int node_uart(void *fdt, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "/pl011@%llx", (unsigned long long)KVM_ARM64_UART);
    TRY(fdt_begin_node(fdt, path + 1));
    TRY(fdt_property(fdt, "compatible", uart_compatible, sizeof(uart_compatible)));
    TRY(prop_reg64(fdt, (const uint64_t[]){ KVM_ARM64_UART, KVM_ARM64_UART_SIZE }, 1));
    TRY(prop_cells(fdt, "interrupts",
                   (const uint32_t[]){ GIC_SPI, KVM_ARM64_UART_SPI, IRQ_LEVEL_HIGH }, 3));
    TRY(prop_cells(fdt, "clocks", (const uint32_t[]){ PHANDLE_CLOCK, PHANDLE_CLOCK }, 2));
    TRY(fdt_property(fdt, "clock-names", uart_clock_names, sizeof(uart_clock_names)));
    return fdt_end_node(fdt);
}

static int node_chosen(void *fdt, const kvm_arm64_board *b, const char *stdout_path)
{
    TRY(fdt_begin_node(fdt, "chosen"));
    TRY(fdt_property_string(fdt, "bootargs", b->bootargs ? b->bootargs : ""));
    TRY(fdt_property_string(fdt, "stdout-path", stdout_path));
    return fdt_end_node(fdt);
}

/* The binding is docs/kvm-arm64.md, "The device-tree node". */
static int node_penguin(void *fdt)
{
    TRY(fdt_begin_node(fdt, "penguin-hypercall"));
    TRY(fdt_property_string(fdt, "compatible", "penguin,hypercall"));
    TRY(fdt_property_string(fdt, "method", "hvc"));
    TRY(fdt_property_u32(fdt, "function-id-base", KVM_ARM64_FID_BASE));
    TRY(fdt_property_u32(fdt, "function-id-count", KVM_ARM64_FID_COUNT));
    TRY(fdt_property_u32(fdt, "arg0-register", KVM_ARM64_HVC_ARG0_GPR));
    return fdt_end_node(fdt);
}

static int build(void *fdt, size_t size, const kvm_arm64_board *b)
{
    char uart_path[64];
    TRY(fdt_create(fdt, (int)size));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_string(fdt, "compatible", "penguin,phc-kvm-arm64"));
    TRY(fdt_property_string(fdt, "model", "phc ARM64 KVM board"));
    TRY(fdt_property_u32(fdt, "#address-cells", 2));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    TRY(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC));
    TRY(node_memory(fdt, b));
    TRY(node_cpus(fdt, b));
    TRY(node_psci(fdt));
    TRY(node_gic(fdt, b));
    TRY(node_timer(fdt));
    TRY(node_clock(fdt));
    TRY(node_uart(fdt, uart_path, sizeof(uart_path)));
    TRY(node_chosen(fdt, b, uart_path));
    TRY(node_penguin(fdt));
    TRY(fdt_end_node(fdt));
    return fdt_finish(fdt);
}

int kvm_arm64_fdt_build(const kvm_arm64_board *b, void *buf, size_t size, char *err,
                        size_t errlen)
{
    if (b->ncpus < 1 || b->ncpus > KVM_ARM64_MAX_CPUS) {
        snprintf(err, errlen, "the ARM64 board has 1 to %u vCPUs, not %u", KVM_ARM64_MAX_CPUS,
                 b->ncpus);
        return -1;
    }
    if (b->ram_size == 0 || b->ram_size > KVM_ARM64_MMIO_BASE) {
        snprintf(err, errlen, "ARM64 RAM must be 1 byte to %llu MiB, not %llu bytes",
                 (unsigned long long)(KVM_ARM64_MMIO_BASE >> 20),
                 (unsigned long long)b->ram_size);
        return -1;
    }
    if (size > INT32_MAX)
        size = INT32_MAX;
    int rc = build(buf, size, b);
    if (rc < 0) {
        snprintf(err, errlen, "device tree: %s", fdt_strerror(rc));
        return -1;
    }
    return 0;
}
