import os
import sys

# `python -m` puts the current folder first on sys.path; when that folder is the repository being
# scanned, a file of it named like one of our dependencies (click.py...) would be imported. The
# tool never imports scanned code, so the folder goes, unless it is where dalle_migrate itself is.
if sys.path and os.path.abspath(sys.path[0] or ".") == os.getcwd() and not os.path.isdir("dalle_migrate"):
    del sys.path[0]

from dalle_migrate.cli import run_command  # noqa: E402

if __name__ == "__main__":
    run_command()
