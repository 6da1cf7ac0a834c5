"""python -m reviewer"""

import sys

from .cli import main

if __name__ == "__main__":  # worker processes import this module again; only the first runs
    sys.exit(main())
