import sys

assert 1 <= int(sys.stdin.read()) <= 100
sys.exit(42)
