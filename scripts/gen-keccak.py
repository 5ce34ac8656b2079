# Generates the unrolled Keccak-f[1600] permutation body.
R = [[0,36,3,41,18],[1,44,10,45,2],[62,6,43,15,61],[28,55,25,21,56],[27,20,39,8,14]]  # R[x][y]
def a(x,y): return f"a{x+5*y:02d}"
def b(x,y): return f"b{x+5*y:02d}"
lines=[]
for x in range(5):
    lines.append(f"let c{x} = {a(x,0)} ^ {a(x,1)} ^ {a(x,2)} ^ {a(x,3)} ^ {a(x,4)}")
for x in range(5):
    lines.append(f"let d{x} = c{(x-1)%5} ^ c{(x+1)%5}.rotl(1)")
for x in range(5):
    for y in range(5):
        X, Y = y, (2*x+3*y)%5
        r = R[x][y]
        expr = f"({a(x,y)} ^ d{x})"
        lines.append(f"let {b(X,Y)} = {expr}.rotl({r})" if r else f"let {b(X,Y)} = {expr}")
for y in range(5):
    for x in range(5):
        lines.append(f"{a(x,y)} = {b(x,y)} ^ (~{b((x+1)%5,y)} & {b((x+2)%5,y)})")
lines.append("a00 ^= rc")
print("\n".join("            " + line for line in lines))
