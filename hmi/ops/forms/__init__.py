"""The operations centre's forms: an order that needs more than a key (a modal each)."""
