"""fanzha.link (see DESIGN.md)."""
