"""``python -m simulator`` — see :mod:`simulator.cli`."""

import sys

from simulator.cli import run_sim

if __name__ == "__main__":
    sys.exit(run_sim())
