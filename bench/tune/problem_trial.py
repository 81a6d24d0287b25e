"""A benchmark trial for `hp-report tune` and for Optuna alike: evaluates one
of the search benchmark problems at the parameters given as environment
variables (HP_X1, HP_LR, ...; what `hp-report tune` sets) and prints
`value=V`. The formulas are those of src/tune/search/problems.rs; the
`*_value` functions are also what bench/search_quality.py evaluates.

usage: problem_trial.py branin|hartmann6|mixed|digits
       problem_trial.py --serve-digits SOCKET

`digits` is a real training: scikit-learn's MLPClassifier on the digits
dataset that ships inside scikit-learn (no download), a fixed stratified
70/30 train/validation split, printing the validation accuracy (maximise).
Its parameters: lr (learning_rate_init), alpha (L2), hidden (units of the one
hidden layer) and activation; 30 epochs of Adam, batch 64, seed 0, one thread,
so the accuracy is a function of the parameters alone.

Importing scikit-learn costs seconds per process on a busy machine, more than
the training. When DIGITS_TRIAL_SOCKET names the Unix socket of a
`--serve-digits` process (started by search_runner.py with scikit-learn
imported once), a digits trial sends its parameters there and prints the
answer: it is still one process per trial, started by the runner or by
Optuna's objective, only the training runs in a fork of the warm server.
Without the variable the trial trains in its own process (needs
scikit-learn). The other problems use the standard library only.
"""
import json
import math
import os
import socket
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


DIGITS_EPOCHS = 30


def digits_data():
    """The digits dataset scaled to [0, 1], split 70/30 (stratified, seed 0)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    xt, xv, yt, yv = train_test_split(x / 16.0, y, test_size=0.3, random_state=0, stratify=y)
    return xt, xv, yt, yv


def digits_value(data, params):
    """Validation accuracy of an MLPClassifier trained with `params`."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    xt, xv, yt, yv = data
    model = MLPClassifier(
        hidden_layer_sizes=(int(params["hidden"]),),
        learning_rate_init=float(params["lr"]),
        alpha=float(params["alpha"]),
        activation=params["activation"],
        max_iter=DIGITS_EPOCHS,
        batch_size=64,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at 30 epochs
        model.fit(xt, yt)
    return float(model.score(xv, yv))


DIGITS_PARAMS = ("lr", "alpha", "hidden", "activation")


def digits():
    params = {k: p(k) for k in DIGITS_PARAMS}
    path = os.environ.get("DIGITS_TRIAL_SOCKET")
    if not path:
        return digits_value(digits_data(), params)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall((json.dumps(params) + "\n").encode())
        reply = s.makefile().readline().strip()
    if not reply.startswith("value="):
        raise SystemExit(f"digits server: {reply or 'no answer'}")
    return float(reply[len("value="):])


def serve_digits(path):
    """Answers digits trials on the Unix socket `path`, each in a fork of
    this process (scikit-learn imported and the data split once)."""
    import socketserver

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    data = digits_data()
    digits_value(data, {"lr": 0.01, "alpha": 1e-4, "hidden": 16, "activation": "relu"})

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            try:
                params = json.loads(self.rfile.readline())
                reply = f"value={digits_value(data, params)!r}"
            except Exception as e:  # the trial prints it and fails
                reply = f"error: {e}"
            self.wfile.write((reply + "\n").encode())

    class Server(socketserver.ForkingMixIn, socketserver.UnixStreamServer):
        pass

    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as server:
        print("ready", flush=True)
        server.serve_forever()


PROBLEMS = {"branin": branin, "hartmann6": hartmann6, "mixed": mixed, "digits": digits}

if __name__ == "__main__":
    if sys.argv[1] == "--serve-digits":
        serve_digits(sys.argv[2])
    else:
        print(f"value={PROBLEMS[sys.argv[1]]()!r}")
