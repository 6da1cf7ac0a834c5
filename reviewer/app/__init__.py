"""Session state, undo commands, background tasks and settings (Qt, no widgets)."""
