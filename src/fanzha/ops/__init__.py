"""fanzha.ops (see DESIGN.md)."""
