from helper import half

a, b = map(int, input().split())
print(half(a + b))
