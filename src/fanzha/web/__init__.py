"""fanzha.web: the analyst console (研判指挥台), a Vue + TypeScript app under ``web/`` built by Vite into
``static/`` here (``make web``); the API serves it at ``/``. This package holds only the built files' location."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
"""Where ``npm run build`` (in ``web/``) writes the console: ``index.html``, ``assets/``, ``swagger/``."""

__all__ = ["STATIC_DIR"]
