"""The operations centre's screens."""
