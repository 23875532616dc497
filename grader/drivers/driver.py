# onsite's function-mode driver for Python. It reads one JSON request from
# stdin: {"nonce", "name", "file", "limit_ms", "out_limit", "tests": [[arg, ...], ...]},
# loads the candidate's file, calls the function once per test and writes one
# line per test, "<nonce> <json>", to the stdout it saved before the
# candidate's code could run. fd 1 then points at stderr, and print() inside
# a call goes to a per-test buffer, so nothing the code prints can pass for a
# result: it would need the nonce, which only this process's stdin carried.
import contextlib
import json
import os
import signal
import sys
import time
import traceback

_write = os.write
_exit = os._exit
_dumps = json.dumps
_perf = time.perf_counter
_ERR_CAP = 2048


def main():
    req = json.loads(sys.stdin.buffer.read())
    nonce = req["nonce"].encode()
    out_fd = os.dup(1)
    os.dup2(2, 1)
    driver_pid = os.getpid()
    sys.stdin = open(os.devnull)

    def emit(obj):
        if os.getpid() != driver_pid:
            # A copy made by the candidate's os.fork() knows the nonce but
            # must never speak for the driver.
            _exit(0)
        try:
            data = _dumps(obj, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError, OverflowError) as e:
            obj["value"] = None
            obj["kind"] = "unencodable"
            obj["error"] = _cap(repr(e))
            data = _dumps(obj, separators=(",", ":"))
        buf = nonce + b" " + data.encode("utf-8", "backslashreplace") + b"\n"
        while buf:
            buf = buf[_write(out_fd, buf):]

    emit({"kind": "ready"})
    try:
        with open(req["file"], encoding="utf-8") as f:
            src = f.read()
        code = compile(src, req["file"], "exec")
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        emit({"kind": "compile", "error": _cap("".join(traceback.format_exception_only(e)))})
        return
    ns = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        with contextlib.redirect_stdout(sys.stderr):
            exec(code, ns)
    except BaseException as e:
        emit({"kind": "load", "error": _cap(_format(e))})
        return
    fn = None
    for name in req["names"]:
        if callable(ns.get(name)):
            fn = ns[name]
            break
    if fn is None:
        emit({"kind": "missing", "error": "no function named %s" % " or ".join(req["names"])})
        return

    limit = req["limit_ms"] / 1000.0
    out_limit = req["out_limit"]
    current = [0, 0.0]

    def on_alarm(signum, frame):
        emit({"i": current[0], "kind": "timeout", "ms": (_perf() - current[1]) * 1000})
        _exit(0)

    signal.signal(signal.SIGALRM, on_alarm)
    sys.setrecursionlimit(100000)

    class Capture:
        """A stdout for one call: keeps the first 4 KiB, stops an endless print."""

        def __init__(self, i):
            self.i, self.n, self.parts = i, 0, []

        def write(self, s):
            s = str(s)
            if self.n < 4096:
                self.parts.append(s[: 4096 - self.n])
            self.n += len(s)
            if self.n > out_limit:
                emit({"i": self.i, "kind": "output_limit", "ms": (_perf() - current[1]) * 1000})
                _exit(0)
            return len(s)

        def flush(self):
            pass

        def text(self):
            return "".join(self.parts)[:4096]

    for i, args in enumerate(req["tests"]):
        cap = Capture(i)
        current[0] = i
        result = {"i": i}
        try:
            with contextlib.redirect_stdout(cap):
                current[1] = _perf()
                signal.setitimer(signal.ITIMER_REAL, limit)
                value = fn(*args)
                signal.setitimer(signal.ITIMER_REAL, 0)
                ms = (_perf() - current[1]) * 1000
            result["value"] = value
        except BaseException as e:
            signal.setitimer(signal.ITIMER_REAL, 0)
            ms = (_perf() - current[1]) * 1000
            result["kind"] = "exception"
            result["error"] = _cap(_format(e))
        result["ms"] = ms
        result["out"] = cap.text()
        emit(result)
    emit({"kind": "done"})


def _format(e):
    """The exception with the candidate's frames only."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(e), e, tb))


def _cap(s):
    """The last _ERR_CAP characters, where the exception's message is."""
    return s if len(s) <= _ERR_CAP else "..." + s[-_ERR_CAP:]


main()
