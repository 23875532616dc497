import sys

n = int(open(sys.argv[1]).read())
got = sys.stdin.read().strip()
if n < 3:
    sys.exit(42 if got == "impossible" else 43)
ok = len(got) == n and got == got[::-1] and set(got) == {"a", "b"}
sys.exit(42 if ok else 43)
