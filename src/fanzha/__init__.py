"""fanzha (反诈): a combined-operations platform for anti-scam centres."""

__version__ = "0.1.0"
