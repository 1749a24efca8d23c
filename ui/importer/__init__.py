"""Importing chat exports from the app: a file dialog or drag-and-drop, with progress."""
