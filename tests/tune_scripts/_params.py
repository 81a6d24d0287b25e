"""Shared by the tune test scripts: read a parameter the way a trial gets it.

A parameter NAME comes from `--NAME VALUE` (or `--NAME=VALUE`) on the command
line, else from the environment variable HP_<NAME> (upper case, other
characters -> `_`), else from the JSON file named by HP_PARAMS_FILE, else the
default. Only the standard library is used.
"""

import json
import os
import re
import sys


def _env_name(name):
    return "HP_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def param(name, default, kind=str):
    """The value of parameter `name` converted with `kind`, or `default`."""
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--" + name and i + 1 < len(argv):
            return kind(argv[i + 1])
        if a.startswith("--" + name + "="):
            return kind(a.split("=", 1)[1])
    env = os.environ.get(_env_name(name))
    if env is not None:
        return kind(env)
    path = os.environ.get("HP_PARAMS_FILE")
    if path and os.path.exists(path):
        with open(path) as f:
            values = json.load(f)
        if name in values:
            return kind(values[name])
    return default
