"""fanzha.web (see DESIGN.md)."""
