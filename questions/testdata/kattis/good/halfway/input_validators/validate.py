import sys

a, b = map(int, sys.stdin.readline().split())
assert -10**9 <= a <= 10**9 and -10**9 <= b <= 10**9
sys.exit(42)
