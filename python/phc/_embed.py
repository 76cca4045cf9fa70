"""What phc-run's embedded interpreter calls (python/phc-python.c).

load() runs the handler files and registers each handler with phc-run's
dispatcher as a cffi callback; it runs on whichever vCPU thread made the
call and holds the GIL for the whole Python part of it.
"""
import os
import sys
import traceback
import types

import phc
from phc._ffi import ffi, lib

_MASK64 = (1 << 64) - 1
_HANDLED, _UNHANDLED, _STOP = (ffi.typeof("phc_verdict").relements[v] for v in
                               ("PHC_HANDLED", "PHC_UNHANDLED", "PHC_STOP"))

# Every callback handed to a dispatcher, kept alive for the process.
_callbacks = []


def _fail(reg, cpu, nr):
    """Print the running exception with its traceback; the guest's value."""
    phc._exceptions += 1
    err = sys.exc_info()[1]
    sys.stderr.write("phc: handler %s (%s) for hypercall %#x on vCPU %d raised:\n"
                     % (getattr(reg.fn, "__qualname__", repr(reg.fn)), reg.where, nr, cpu.index))
    # From the handler's frame on: this module's own frame says nothing.
    traceback.print_exception(type(err), err, err.__traceback__.tb_next)
    return phc.EFAULT if isinstance(err, phc.GuestFault) else phc.EIO


def _trampoline(reg):
    """The C handler for @reg: the call's arguments to the function, its
    answer (or exception) to the dispatcher."""
    fn, nargs, unpack, Cpu, Stop = reg.fn, reg.nargs, ffi.unpack, phc.Cpu, phc._Stop

    def dispatch(cpu_p, call_p, value_p, opaque):
        cpu = Cpu(cpu_p)
        try:
            result = fn(cpu, *unpack(call_p.args, nargs))
            if result is None:
                return _UNHANDLED
            if not isinstance(result, int):
                raise TypeError("a handler returns an int or None, not %s" % type(result).__name__)
            if not -(1 << 63) <= result <= _MASK64:
                raise OverflowError("return value %#x does not fit 64 bits" % result)
            value_p[0] = result & _MASK64
            return _HANDLED
        except Stop as stop:
            value_p[0] = stop.status & _MASK64
            return _STOP
        except BaseException:
            value_p[0] = _fail(reg, cpu, call_p.nr) & _MASK64
            return _HANDLED
        finally:
            cpu._p = None

    return ffi.callback("phc_handler_fn", dispatch, error=_UNHANDLED, onerror=_internal_error)


def _internal_error(exc_type, exc, tb):
    """A failure in a trampoline itself: said loudly, the call left unclaimed."""
    phc._exceptions += 1
    sys.stderr.write("phc: internal error in the Python dispatch:\n")
    traceback.print_exception(exc_type, exc, tb)


def _where(path, err):
    """path:line of the innermost frame of @err's traceback inside @path."""
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return path if line is None else "%s:%d" % (path, line)


def _run_file(path, index):
    """Run one handler file as its own module; None or a one-line error."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as err:
        return "--handlers %s: %s" % (path, err.strerror or err)
    try:
        code = compile(source, path, "exec")
    except SyntaxError as err:
        return "--handlers %s:%s: %s" % (path, err.lineno, err.msg)
    except ValueError as err:  # e.g. a NUL byte
        return "--handlers %s: %s" % (path, err)
    module = types.ModuleType("phc_handlers_%d" % index)
    module.__file__ = path
    sys.modules[module.__name__] = module
    # Like `python3 FILE`: modules next to the file can be imported.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        exec(code, module.__dict__)
    except phc._Stop:
        return "--handlers %s: phc.stop() outside a handler" % _where(path, sys.exc_info()[1])
    except BaseException as err:
        kind = "" if isinstance(err, phc.RegistrationError) else type(err).__name__ + ": "
        return "--handlers %s: %s%s" % (_where(path, err), kind, err)
    return None


def _register(dispatcher, claimed):
    """Hand this file's @hypercall declarations to the dispatcher."""
    pending, phc._pending[:] = list(phc._pending), []
    for reg in pending:
        key = lib().phc_nr_key(reg.nr, 64)
        if key in claimed:
            other = claimed[key]
            same = "" if other.nr == reg.nr else " (the dispatcher's same number as %#x)" % other.nr
            return "--handlers %s: hypercall %#x%s is already handled by %s" % (
                reg.where, reg.nr, same, other.where)
        claimed[key] = reg
        lib().phc_dispatcher_unregister(dispatcher, reg.nr)  # a built-in, if any
        _callbacks.append(_trampoline(reg))
        if not lib().phc_dispatcher_register(dispatcher, reg.nr, _callbacks[-1], ffi.NULL):
            return "--handlers %s: hypercall %#x could not be registered" % (reg.where, reg.nr)
    return None


def load(dispatcher_address, paths):
    """Run every handler file and register its handlers, in order.
    Returns None, or one line saying what is wrong."""
    dispatcher = ffi.cast("phc_dispatcher *", dispatcher_address)
    claimed = {}
    for index, path in enumerate(paths):
        error = _run_file(path, index) or _register(dispatcher, claimed)
        if error:
            return error
    return None


def report():
    """After the run: Python's output flushed; the line about handler
    exceptions, or None."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    n = phc._exceptions
    if not n:
        return None
    return "Python handlers raised %d exception%s (tracebacks above)" % (n, "" if n == 1 else "s")
