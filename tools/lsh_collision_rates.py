#!/usr/bin/env python3
"""Collision rates of YOSO's fast Hadamard hash, from an independent NumPy model (DESIGN §3).

The hash (HF use_fast_hash): y = H·D3·H·D2·H·D1·x over dp dims, H the Sylvester Hadamard
matrix, D random ±1 diagonals; code j = the signs of y[j·τ .. j·τ+τ-1]. Two vectors at angle θ
collide with probability close to, but below, the Gaussian-hyperplane formula (1 − θ/π)^τ,
because the τ directions of one code are orthogonal rather than independent.

Usage: python3 tools/lsh_collision_rates.py [--pairs N] [--reps N]
Prints, for dp 32/64/128 and a few cosines, the measured rate ± its standard error and the
formula. tests/test_lsh_stats.c quotes these numbers (seeded: the output is reproducible).
"""

import argparse

import numpy as np


def hadamard(dp):
    """Sylvester-order Hadamard matrix, entries (−1)^popcount(i & j)."""
    h = np.array([[1.0]])
    while h.shape[0] < dp:
        h = np.block([[h, h], [h, -h]])
    return h


def collision_rate(dp, tau, cos, pairs, reps, rng):
    """Mean collision rate of the fast hash over random pairs at the given cosine."""
    h = hadamard(dp)
    x = rng.standard_normal((pairs, dp))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    u = rng.standard_normal((pairs, dp))
    u -= (u * x).sum(1, keepdims=True) * x
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    y = cos * x + np.sqrt(1.0 - cos * cos) * u
    hits = total = 0
    for _ in range(reps):
        signs = rng.choice([-1.0, 1.0], size=(3, pairs, dp))
        a, b = x, y
        for r in range(3):
            a = (a * signs[r]) @ h.T
            b = (b * signs[r]) @ h.T
        for j in range(dp // tau):
            sl = slice(j * tau, (j + 1) * tau)
            hits += np.all((a[:, sl] > 0) == (b[:, sl] > 0), axis=1).sum()
            total += pairs
    rate = hits / total
    return rate, np.sqrt(rate * (1.0 - rate) / total)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    print(f"{'dp':>4} {'tau':>4} {'cos':>5} {'hadamard':>10} {'± se':>8} {'formula':>9} "
          f"{'ratio':>6}")
    for dp, tau, cos in [(32, 8, 0.9), (64, 8, 0.9), (128, 8, 0.9),
                         (64, 9, 0.9), (64, 9, 0.7), (64, 9, 0.5), (64, 9, 0.1)]:
        rate, se = collision_rate(dp, tau, cos, args.pairs, args.reps, rng)
        formula = (1.0 - np.arccos(cos) / np.pi) ** tau
        print(f"{dp:>4} {tau:>4} {cos:>5.2f} {rate:>10.4f} {se:>8.4f} {formula:>9.4f} "
              f"{rate / formula:>6.3f}")


if __name__ == "__main__":
    main()
