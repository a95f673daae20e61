"""fanzha.api (see DESIGN.md)."""
