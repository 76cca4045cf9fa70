/*
 * The x86 IO classification: of every (direction, port, size, count) an exit
 * or the emulator can report, only one 32-bit OUT to port 0x88, once, is a
 * hypercall (DESIGN.md sections 2 and 3). Out-of-range directions and sizes
 * are fed too: a corrupt exit must classify as ordinary IO.
 */
#include <string.h>
#include <phc/sentinel.h>
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size, 0 };
    phc_io_event io;
    memset(&io, 0, sizeof(io));
    uint8_t dir = fuzz_u8(&in);
    io.dir = (phc_io_dir)dir;
    io.port = (uint16_t)fuzz_take(&in, 2);
    io.size = fuzz_u8(&in);
    io.count = (uint32_t)fuzz_take(&in, 4);

    bool want = dir == PHC_IO_OUT && io.port == 0x88 && io.size == 4 && io.count == 1;
    bool got = phc_x86_io_is_hypercall(&io);
    FUZZ_CHECK(got == want, "dir %u port 0x%x size %u count %u: %d", dir, io.port, io.size,
               io.count, got);
    return 0;
}
