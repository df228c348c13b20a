#!/usr/bin/env python3
"""Chebyshev coefficients for basinmap's vector erfc (src/simd/math.rs).

erfc(x) = exp(-x^2) * F(u) / (1 + 2x) for x >= 0, where u = (x - K)/(x + K)
maps [0, inf) onto [-1, 1) and F(u) = (1 + 2x) erfcx(x) is smooth and
bounded on [-1, 1] (F = 1 at x = 0, F -> 2/sqrt(pi) as x -> inf).
The coefficients of F's Chebyshev series are computed here with mpmath at
60 digits by Chebyshev-Gauss quadrature, and truncated where the tail is
below the target precision. Run: python3 scripts/fit-erfcx.py
"""
import mpmath as mp

mp.mp.dps = 60
K = mp.mpf(2)

def F(u):
    if u == 1:
        return 2 / mp.sqrt(mp.pi)
    x = K * (1 + u) / (1 - u)
    return (1 + 2 * x) * mp.erfc(x) * mp.exp(x * x)

def chebyshev(n_nodes):
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n_nodes) for j in range(n_nodes)]
    values = [F(u) for u in nodes]
    coeffs = []
    for k in range(n_nodes):
        s = mp.fsum(values[j] * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / n_nodes) for j in range(n_nodes))
        coeffs.append(2 * s / n_nodes)
    coeffs[0] /= 2
    return coeffs

coeffs = chebyshev(80)
for name, tol in [("F32", 2.0 ** -27), ("F64", 2.0 ** -56)]:
    n = len(coeffs)
    while n > 1 and sum(abs(c) for c in coeffs[n - 1:]) < tol:
        n -= 1
    n += 1
    tail = sum(abs(c) for c in coeffs[n:])
    print(f"// {name}: {n} terms, truncation bound {mp.nstr(tail, 3)}")
    print(f"const ERFCX_CHEB_{name}: [f64; {n}] = [")
    for c in coeffs[:n]:
        print(f"    {float(c)!r},")  # shortest text of the nearest f64
    print("];")
