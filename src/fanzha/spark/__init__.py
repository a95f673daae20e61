"""fanzha.spark (see DESIGN.md)."""
