"""A trial that fails on its first attempt at each parameter value and
succeeds on later ones (a marker file per value in the directory given as
the first argument), for `tune retry`. With `always` as the second argument
it fails for x > 0.5 on every attempt."""
import os
import sys

marks, mode = sys.argv[1], sys.argv[2]
x = float(os.environ["HP_X"])
if mode == "always":
    if x > 0.5:
        print("diverged", file=sys.stderr)
        sys.exit(3)
else:
    mark = os.path.join(marks, f"{x}.seen")
    if not os.path.exists(mark):
        open(mark, "w").close()
        sys.exit(1)
print(f"loss={x}")
