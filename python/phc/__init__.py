"""Penguin hypercall handlers in Python, run by ``phc-run --handlers FILE.py``.

    import phc

    @phc.hypercall(0x1234)
    def handler(cpu, a0, a1, a2, a3, a4, a5):
        data = cpu.read(a0, a1)       # raises phc.GuestFault
        cpu.write(a2, b"...")
        return len(data)              # None: unclaimed, register untouched

docs/python.md says what each piece means; phc._embed runs the files.
"""
import inspect
import sys

from phc._ffi import ffi, lib

__all__ = ["hypercall", "stop", "Cpu", "GuestFault", "RegistrationError",
           "exception_count", "EFAULT", "EIO"]

# What the guest's return register gets when a handler raises: -EFAULT for a
# guest memory fault nobody caught, -EIO for anything else.
EFAULT = -14
EIO = -5

_NARGS = 6


class GuestFault(Exception):
    """A guest virtual address range that is not mapped (or not RAM)."""

    def __init__(self, addr, size, write=False):
        self.addr, self.size, self.write = addr, size, write
        super().__init__("guest memory fault %s %d bytes at 0x%x"
                         % ("writing" if write else "reading", size, addr))


class RegistrationError(ValueError):
    """A @phc.hypercall that cannot be registered (phc-run stops on it)."""


class _Stop(BaseException):
    """Raised by phc.stop(): a BaseException, so `except Exception` in a
    handler does not swallow it."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Registration:
    __slots__ = ("nr", "fn", "nargs", "where")

    def __init__(self, nr, fn, nargs, where):
        self.nr, self.fn, self.nargs, self.where = nr, fn, nargs, where


# Declared by @hypercall and not yet handed to the dispatcher (phc._embed
# takes them after each file).
_pending = []
_exceptions = 0


def _arg_count(fn):
    """How many of a0..a5 @fn takes after cpu: it may declare fewer."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return _NARGS
    positional = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return _NARGS
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
        elif p.kind == p.KEYWORD_ONLY and p.default is p.empty:
            raise RegistrationError("%s has a keyword-only argument without a default (%s)"
                                    % (fn.__qualname__, p.name))
    required = sum(1 for p in sig.parameters.values()
                   if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                   and p.default is p.empty)
    if positional < 1:
        raise RegistrationError("%s takes no arguments; a handler takes (cpu, a0, ..., a5)"
                                % fn.__qualname__)
    if required > 1 + _NARGS:
        raise RegistrationError("%s needs %d arguments; a handler gets at most 7 (cpu, a0, ..., a5)"
                                % (fn.__qualname__, required))
    return min(positional - 1, _NARGS)


def hypercall(nr):
    """Decorator: the function handles hypercall number @nr.

    Width-aware like the C dispatcher: a number that fits 32 bits (or is the
    sign extension of one) matches 32-bit guests' and 64-bit guests' forms.
    Overrides phc-run's built-in for the same number.
    """
    if isinstance(nr, bool) or not isinstance(nr, int):
        raise RegistrationError("hypercall number %r is not an int" % (nr,))
    if not 0 <= nr < 1 << 64:
        raise RegistrationError("hypercall number %#x is not in 0 .. 2**64-1" % nr)

    def register(fn):
        if not callable(fn):
            raise RegistrationError("@phc.hypercall(%#x) decorates %r, which is not callable"
                                    % (nr, fn))
        caller = sys._getframe(1)
        where = "%s:%d" % (caller.f_code.co_filename, caller.f_lineno)
        _pending.append(_Registration(nr, fn, _arg_count(fn), where))
        return fn

    return register


def stop(status=0):
    """End the guest with exit @status (from inside a handler; does not return)."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError("phc.stop(status): status must be an int, not %r" % (status,))
    raise _Stop(status)


def exception_count():
    """How many handler calls have raised so far in this run."""
    return _exceptions


class Cpu:
    """The vCPU that made the call; valid only until the handler returns."""

    __slots__ = ("_p",)

    def __init__(self, p):
        self._p = p

    def _live(self):
        p = self._p
        if p is None:
            raise RuntimeError("this cpu's hypercall has returned; keep no cpu past its call")
        return p

    @property
    def index(self):
        """The vCPU number, from 0."""
        return self._live().index

    @property
    def arch(self):
        """The ABI row in force for this call: "x86_64", "i386", "arm", ..."""
        return ffi.string(self._live().abi.name).decode()

    @property
    def bits(self):
        """Register width of this call's ABI row: 32 or 64."""
        return self._live().abi.reg_bits

    @property
    def endian(self):
        """"little" or "big": the guest's byte order, for int.from_bytes."""
        return "big" if self._live().abi.endian else "little"

    def read(self, addr, size):
        """@size bytes of guest virtual memory at @addr; GuestFault if any is unmapped."""
        p = self._live()
        if size < 0:
            raise ValueError("cpu.read: negative size %d" % size)
        buf = ffi.new("char[]", size)
        if lib().phc_vcpu_read(p, addr, buf, size) != 0:
            raise GuestFault(addr, size)
        return ffi.buffer(buf, size)[:]

    def write(self, addr, data):
        """Write bytes-like @data to guest virtual memory at @addr; GuestFault
        (and nothing written) if any byte is unmapped."""
        p = self._live()
        data = bytes(data)
        if lib().phc_vcpu_write(p, addr, data, len(data)) != 0:
            raise GuestFault(addr, len(data), write=True)
