#!/usr/bin/env python3
"""The cffi declarations in python/phc/_ffi.py against the C headers: every
field offset and constant the C compiler reports (layout.c) must match what
cffi computes from the declarations. Exit 0 pass, 1 fail, 77 no cffi."""
import json
import subprocess
import sys


def main():
    layout_prog, package_dir = sys.argv[1:3]
    sys.path.insert(0, package_dir)
    try:
        from phc._ffi import ffi
    except ImportError as err:
        print("SKIP: cannot import cffi in this Python (%s)" % err, file=sys.stderr)
        sys.exit(77)
    want = json.loads(subprocess.run([layout_prog], capture_output=True, check=True,
                                     text=True).stdout)
    bad = []
    for key, value in sorted(want.items()):
        if "." in key:
            struct, field = key.split(".")
            got = ffi.offsetof(struct, field)
        elif key == "PHC_NARGS":
            got = ffi.typeof("phc_call").fields[4][1].type.length
        elif key == "PHC_SLOT_COUNT":
            got = ffi.typeof("phc_abi").fields[5][1].type.length
        elif key == "PHC_BIG_ENDIAN":
            got = ffi.typeof("phc_endian").relements[key]
        else:
            got = ffi.typeof("phc_verdict").relements[key]
        if got != value:
            bad.append("%s: C says %d, cffi %d" % (key, value, got))
    if bad:
        print("FAIL: python/phc/_ffi.py does not match the headers:\n  " + "\n  ".join(bad),
              file=sys.stderr)
        sys.exit(1)
    print("PASS: %d offsets and constants agree" % len(want))


if __name__ == "__main__":
    main()
