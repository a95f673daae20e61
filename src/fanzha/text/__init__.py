"""fanzha.text (see DESIGN.md)."""
