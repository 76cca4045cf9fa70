/*
 * x86 IO classification (DESIGN.md sections 2, 3, 5): of every direction,
 * size, port near 0x88 and repeat count, exactly a single 32-bit OUT to port
 * 0x88 is a hypercall. Ports that alias 0x88 in their low byte and sizes or
 * directions no hardware reports get the same defined "no".
 */
#include <phc/sentinel.h>
#include "check.h"

static const uint16_t far_ports[] = { 0x0000, 0x0008, 0x0080, 0x0188, 0x3f8, 0x8088, 0xff88, 0xffff };
static const uint8_t odd_sizes[] = { 0, 3, 8, 0x84 };
static const uint32_t odd_counts[] = { 0, 4, 0x10001, UINT32_MAX };

static unsigned classify(phc_io_dir dir, uint16_t port, uint8_t size, uint32_t count)
{
    phc_io_event io = { .dir = dir, .port = port, .size = size, .count = count };
    return phc_x86_io_is_hypercall(&io);
}

int main(void)
{
    static const phc_io_dir dirs[] = { PHC_IO_IN, PHC_IO_OUT };
    static const uint8_t sizes[] = { 1, 2, 4 };
    unsigned accepted = 0, tried = 0;

    for (unsigned d = 0; d < 2; d++)
        for (unsigned s = 0; s < 3; s++)
            for (uint16_t port = 0x80; port <= 0x8f; port++)
                for (uint32_t count = 1; count <= 3; count++) {
                    bool want = dirs[d] == PHC_IO_OUT && port == 0x88 && sizes[s] == 4 && count == 1;
                    bool got = classify(dirs[d], port, sizes[s], count);
                    CHECK(got == want, "%s port 0x%x size %u count %u: got %d", d ? "out" : "in", port,
                          sizes[s], count, got);
                    accepted += got;
                    tried++;
                }
    CHECK(accepted == 1 && tried == 2 * 3 * 16 * 3, "%u of %u accepted", accepted, tried);

    for (unsigned i = 0; i < sizeof(far_ports) / sizeof(far_ports[0]); i++)
        CHECK(!classify(PHC_IO_OUT, far_ports[i], 4, 1), "out port 0x%x", far_ports[i]);
    for (unsigned i = 0; i < sizeof(odd_sizes); i++)
        CHECK(!classify(PHC_IO_OUT, 0x88, odd_sizes[i], 1), "size %u", odd_sizes[i]);
    for (unsigned i = 0; i < sizeof(odd_counts) / sizeof(odd_counts[0]); i++)
        CHECK(!classify(PHC_IO_OUT, 0x88, 4, odd_counts[i]), "count %u", odd_counts[i]);
    /* a direction value no frontend produces is not an OUT */
    CHECK(!classify((phc_io_dir)2, 0x88, 4, 1), "direction 2");
    CHECK(PHC_X86_HYPERCALL_PORT == 0x88, "hypercall port 0x%x", PHC_X86_HYPERCALL_PORT);

    return check_report("test-x86-io");
}
