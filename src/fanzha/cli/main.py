"""``python -m fanzha.cli.main``: the command line without the installed ``fanzha`` script."""

from fanzha.cli import app

if __name__ == "__main__":
    app()
