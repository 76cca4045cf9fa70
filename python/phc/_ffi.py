"""The cffi binding: libphc's handler-facing C API, in ABI mode.

The declarations mirror include/phc/{abi,vcpu,call,dispatcher}.h up to the
last field read here (the structs are only reached through pointers); the
test `python cffi layout` compares every offset with the C compiler's.
"""
import cffi

ffi = cffi.FFI()
ffi.cdef("""
typedef enum { PHC_LITTLE_ENDIAN, PHC_BIG_ENDIAN } phc_endian;
typedef struct phc_abi {
    int arch;
    const char *name;
    unsigned reg_bits;
    unsigned nr_bits;
    phc_endian endian;
    uint8_t gpr[8];
    const char *reg_name[8];
    const char *sentinel_asm;
} phc_abi;

typedef struct phc_vcpu {
    const void *ops;
    unsigned index;
    const phc_abi *abi;
} phc_vcpu;

typedef struct phc_call {
    uint64_t seq;
    unsigned vcpu;
    const phc_abi *abi;
    uint64_t nr;
    uint64_t args[6];
    uint64_t ret;
    bool handled;
} phc_call;

typedef enum { PHC_HANDLED, PHC_UNHANDLED, PHC_STOP } phc_verdict;
typedef struct phc_dispatcher phc_dispatcher;
typedef phc_verdict (*phc_handler_fn)(phc_vcpu *cpu, const phc_call *call,
                                      uint64_t *value, void *opaque);

int phc_vcpu_read(phc_vcpu *cpu, uint64_t gva, char *buf, size_t len);
int phc_vcpu_write(phc_vcpu *cpu, uint64_t gva, const char *buf, size_t len);
bool phc_dispatcher_register(phc_dispatcher *d, uint64_t nr, phc_handler_fn fn, void *opaque);
bool phc_dispatcher_unregister(phc_dispatcher *d, uint64_t nr);
uint64_t phc_nr_key(uint64_t nr, unsigned nr_bits);
""")

_lib = None


def lib():
    """libphc as loaded in this process (phc-run links it), opened once."""
    global _lib
    if _lib is None:
        candidate = ffi.dlopen(None)
        try:
            candidate.phc_nr_key
        except AttributeError:
            raise RuntimeError("libphc is not loaded in this process: "
                               "phc handlers run inside phc-run --handlers") from None
        _lib = candidate
    return _lib
