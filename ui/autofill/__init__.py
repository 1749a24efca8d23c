"""Autofill in the UI: the picker near the cursor and "fill form" with a confirmation dialog.

Only code in this package issues ``core.memory.profile.autofill.UserConfirmation``
tokens, and only from a user gesture (a click on "Fill", a chosen picker
entry): captured text and the LLM can never trigger a fill.
"""
