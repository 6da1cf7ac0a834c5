"""Reviewer: review, publish and rate the articles of a Markdown content folder."""

__version__ = "0.1.0"

# How long a thread holds Python's lock while another waits for it (Python's default: 5 ms).
# The window's thread takes it at every call into Python (each cell a table paints) and a
# save's writer threads at every return from the disk: behind a busy thread, each such call
# waited up to 5 ms. Set by the command line (cli.main) and by the window (make_application).
SWITCH_INTERVAL_S = 0.001
