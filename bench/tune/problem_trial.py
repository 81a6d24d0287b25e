"""A benchmark trial for `hp-report tune` and for Optuna alike: evaluates one
of the search benchmark problems at the parameters given as environment
variables (HP_X1, HP_LR, ...; what `hp-report tune` sets) and prints
`value=V`. The formulas are those of src/tune/search/problems.rs; the
`*_value` functions are also what bench/search_quality.py evaluates.

usage: problem_trial.py branin|hartmann6|mixed
Standard library only.
"""
import math
import os
import sys

ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def p(name):
    return os.environ["HP_" + name.upper()]


def branin_value(x1, x2):
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6_value(x):
    return -sum(
        ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
        for i in range(4)
    )


def mixed_value(lr, depth, units, dropout, act):
    return (
        (math.log10(lr) + 2.5) ** 2
        + 0.2 * (depth - 3) ** 2
        + ((units - 96) / 80) ** 2
        + 4 * (dropout - 0.2) ** 2
        + {"relu": 0.0, "tanh": 0.25, "sigmoid": 0.8}[act]
    )


def branin():
    return branin_value(float(p("x1")), float(p("x2")))


def hartmann6():
    return hartmann6_value([float(p(f"x{i}")) for i in range(1, 7)])


def mixed():
    return mixed_value(
        float(p("lr")), int(p("depth")), int(p("units")), float(p("dropout")), p("activation")
    )


if __name__ == "__main__":
    print(f"value={ {'branin': branin, 'hartmann6': hartmann6, 'mixed': mixed}[sys.argv[1]]()!r}")
