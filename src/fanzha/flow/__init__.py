"""fanzha.flow (see DESIGN.md)."""
