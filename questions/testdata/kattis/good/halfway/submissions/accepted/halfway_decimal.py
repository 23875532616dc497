from decimal import Decimal

a, b = map(Decimal, input().split())
print((a + b) / 2)
