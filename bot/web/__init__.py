"""The residents' web chat page."""
