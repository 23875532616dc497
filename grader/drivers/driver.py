# onsite's function-mode driver for Python. It reads one JSON request from
# stdin: {"nonce", "name", "file", "limit_ms", "out_limit", "tests": [[arg, ...], ...]},
# loads the candidate's file, calls the function once per test and writes one
# line per test, "<nonce> <json>", to the stdout it saved before the
# candidate's code could run. fd 1 then points at stderr, and print() inside
# a call goes to a per-test buffer, so nothing the code prints can pass for a
# result: it would need the nonce, which only this process's stdin carried.
#
# Start-up is most of a small submission's cost, so the driver imports
# little: the json package pulls in re and enum (about 12 ms of a 30 ms
# start), so it uses the C accelerator under it directly where there is one.
import os
import signal
import sys
import time

_write = os.write
_exit = os._exit
_perf = time.perf_counter
_ERR_CAP = 2048


def _json_codec():
    """loads and dumps (compact, ASCII, no NaN) without importing json."""
    try:
        from _json import encode_basestring_ascii, make_encoder, make_scanner
    except ImportError:
        import json

        return json.loads, lambda o: json.dumps(o, allow_nan=False, separators=(",", ":"))

    class Context:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        memo = {}

        @staticmethod
        def parse_constant(name):
            raise ValueError("%s is not valid JSON" % name)

    scan = make_scanner(Context)

    def loads(s):
        if isinstance(s, bytes):
            s = s.decode("utf-8")
        s = s.strip(" \t\n\r")
        try:
            value, end = scan(s, 0)
        except StopIteration as e:
            raise ValueError("invalid JSON at character %d" % e.value) from None
        if end != len(s):
            raise ValueError("extra data at character %d" % end)
        return value

    def default(o):
        raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)

    def dumps(o):
        encode = make_encoder({}, default, encode_basestring_ascii, None, ":", ",", False, False, False)
        return "".join(encode(o, 0))

    return loads, dumps


_loads, _dumps = _json_codec()


def _site_packages():
    """Run with -S, the site module did not put the site-packages directories
    on sys.path (nor run their .pth files, which import setuptools' and
    certifi's hooks at every start): add those that exist, as site would on
    Debian and on a build of its own (pyenv, python.org)."""
    if not sys.flags.no_site:
        return
    version = "python%d.%d" % sys.version_info[:2]
    for prefix in dict.fromkeys((sys.prefix, sys.exec_prefix)):
        for d in (
            prefix + "/local/lib/" + version + "/dist-packages",
            prefix + "/lib/python3/dist-packages",
            prefix + "/lib/" + version + "/dist-packages",
            prefix + "/lib/" + version + "/site-packages",
        ):
            if d not in sys.path and os.path.isdir(d):
                sys.path.append(d)


_site_packages()


def main():
    req = _loads(sys.stdin.buffer.read())
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
            data = _dumps(obj)
        except (TypeError, ValueError, RecursionError, OverflowError) as e:
            obj["value"] = None
            obj["kind"] = "unencodable"
            obj["error"] = _cap(repr(e))
            data = _dumps(obj)
        buf = nonce + b" " + data.encode("utf-8", "backslashreplace") + b"\n"
        while buf:
            buf = buf[_write(out_fd, buf):]

    emit({"kind": "ready"})
    try:
        with open(req["file"], encoding="utf-8") as f:
            src = f.read()
        code = compile(src, req["file"], "exec")
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        import traceback

        emit({"kind": "compile", "error": _cap("".join(traceback.format_exception_only(e)))})
        return
    ns = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        with _Stdout(sys.stderr):
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
            with _Stdout(cap):
                current[1] = _perf()
                signal.setitimer(signal.ITIMER_REAL, limit)
                value = fn(*args)
                signal.setitimer(signal.ITIMER_REAL, 0)
                ms = (_perf() - current[1]) * 1000
            result["value"] = value
        except BaseException as e:
            signal.setitimer(signal.ITIMER_REAL, 0)
            ms = (_perf() - current[1]) * 1000
            # An allocation the interpreter could not make (larger than
            # the machine allows) is the memory limit, not a crash.
            result["kind"] = "memory" if isinstance(e, MemoryError) else "exception"
            result["error"] = _cap(_format(e))
        result["ms"] = ms
        result["out"] = cap.text()
        emit(result)
    emit({"kind": "done"})


class _Stdout:
    """contextlib.redirect_stdout, without importing contextlib."""

    def __init__(self, target):
        self.target = target

    def __enter__(self):
        self.saved, sys.stdout = sys.stdout, self.target

    def __exit__(self, *exc):
        sys.stdout = self.saved


def _format(e):
    """The exception with the candidate's frames only."""
    import traceback

    # This file's frames: compared by the name its code was compiled with,
    # which is not __file__ when the driver runs as a .pyc.
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _format.__code__.co_filename:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(e), e, tb))


def _cap(s):
    """The last _ERR_CAP characters, where the exception's message is."""
    return s if len(s) <= _ERR_CAP else "..." + s[-_ERR_CAP:]


main()
