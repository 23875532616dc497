n = int(input())
print("impossible" if n < 3 else "a" + "b" * (n - 2) + "a")
