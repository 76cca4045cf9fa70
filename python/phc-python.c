/*
 * The embedded interpreter behind phc-run --handlers. All the work is in the
 * phc package (python/phc/_embed.py); this file starts Python the way a
 * runner needs it and hands over the dispatcher.
 *
 * The GIL: taken here to load the files, then released for good before the
 * guest runs. Each handler call takes it (cffi's callback does) on the vCPU
 * thread that made the call, so Python handlers run one at a time; the C
 * part of the dispatch and the guests' own code stay parallel.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <libgen.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "phc-python.h"

static PyObject *embed; /* the phc._embed module */

#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
/*
 * LeakSanitizer (scripts/sanitize.sh): the interpreter is never finalized
 * (vCPU threads may still hold thread states until exit), so what Python
 * and cffi allocated for the whole run is still there at exit by design.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libpython3\nleak:_cffi_backend\n";
}

/* Without this a run that only matched suppressions still writes a report. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif
#endif

/* One line from the pending Python exception, which is cleared. */
static void exception_line(const char *what, char *err, size_t errlen)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    snprintf(err, errlen, "%s: %s%s%s", what, type ? ((PyTypeObject *)type)->tp_name : "error",
             msg && *msg ? ": " : "", msg ? msg : "");
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/*
 * The package comes first on sys.path: the copy next to this program in a
 * build tree (build/python beside build/tools), else the installed one.
 */
static int add_package_dir(const char *exe)
{
    char dir[PATH_MAX], probe[PATH_MAX + 32];
    snprintf(dir, sizeof(dir), "%s", exe);
    snprintf(probe, sizeof(probe), "%s/../python/phc/_embed.py", dirname(dir));
    const char *pkg = access(probe, R_OK) == 0 ? dirname(dirname(probe)) : PHC_PYTHON_DIR;
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    PyObject *entry = PyUnicode_DecodeFSDefault(pkg);
    int rc = path && entry ? PyList_Insert(path, 0, entry) : -1;
    Py_XDECREF(entry);
    return rc;
}

static int start_python(char *err, size_t errlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        snprintf(err, errlen, "--handlers: cannot find this program's path: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';

    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0; /* phc-run reads SIGINT and SIGTERM itself */
    config.buffered_stdio = 0;          /* print() is not held back until an exit that skips it */
    config.parse_argv = 0;
    /* Our own path, not "python3" looked up in PATH: Python then takes its
     * standard library from where libpython was built for. */
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, exe);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        snprintf(err, errlen, "--handlers: cannot start Python: %s", st.err_msg ? st.err_msg : "?");
        return -1;
    }
    if (add_package_dir(exe) != 0) {
        exception_line("--handlers: cannot set sys.path", err, errlen);
        return -1;
    }
    if (!(embed = PyImport_ImportModule("phc._embed"))) {
        exception_line("--handlers: cannot import the phc package", err, errlen);
        return -1;
    }
    return 0;
}

static int run_files(phc_dispatcher *d, const char *const *files, size_t nfiles, char *err,
                     size_t errlen)
{
    if (!embed) {
        snprintf(err, errlen, "--handlers: Python did not start");
        return -1;
    }
    PyObject *list = PyList_New((Py_ssize_t)nfiles);
    for (size_t i = 0; list && i < nfiles; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_DecodeFSDefault(files[i]));
    PyObject *res = list ? PyObject_CallMethod(embed, "load", "KO",
                                                (unsigned long long)(uintptr_t)d, list)
                         : NULL;
    Py_XDECREF(list);
    int rc = 0;
    if (!res) {
        exception_line("--handlers", err, errlen);
        rc = -1;
    } else if (res != Py_None) {
        const char *line = PyUnicode_AsUTF8(res);
        snprintf(err, errlen, "%s", line ? line : "--handlers: loading failed");
        rc = -1;
    }
    Py_XDECREF(res);
    return rc;
}

int phc_python_load(phc_dispatcher *d, const char *const *files, size_t nfiles, char *err,
                    size_t errlen)
{
    /* Python starts once; a later call (a benchmark's next run) reuses it. */
    bool first = !Py_IsInitialized();
    PyGILState_STATE gil = PyGILState_UNLOCKED;
    if (first) {
        if (start_python(err, errlen) != 0)
            return -1;
    } else {
        gil = PyGILState_Ensure();
    }
    int rc = run_files(d, files, nfiles, err, errlen);
    if (first)
        PyEval_SaveThread(); /* the vCPU threads take the GIL call by call */
    else
        PyGILState_Release(gil);
    return rc;
}

void phc_python_finish(FILE *out)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *line = PyObject_CallMethod(embed, "report", NULL);
    if (line && line != Py_None)
        fprintf(out, "phc-run: %s\n", PyUnicode_AsUTF8(line));
    Py_XDECREF(line);
    PyErr_Clear();
    PyGILState_Release(gil);
}
