"""The profile page: review, confirm, correct, remove and add the values autofill may type."""
