"""fanzha.risk (see DESIGN.md)."""
