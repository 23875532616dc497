words = input().split()
out = []
while words:
    out.append(words.pop())
print(" ".join(out))
