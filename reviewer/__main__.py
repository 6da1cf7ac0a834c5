"""python -m reviewer"""

import sys

if __name__ == "__main__":  # worker processes import this module again; only the first runs
    if sys.argv[1:2] == ["merge-driver"] and len(sys.argv) == 6:
        # git runs the driver once per file merged: it skips the command line's imports (half its start-up)
        from .core.merge import run_driver

        sys.exit(run_driver(*sys.argv[2:6]))
    if sys.argv[1:2] == ["askpass"]:  # git or ssh asking the window's editor for a password
        from .ui.askpass import main as ask

        sys.exit(ask(sys.argv[2:]))
    from .cli import main

    sys.exit(main())
