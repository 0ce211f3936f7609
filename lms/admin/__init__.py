"""The admin feature package."""
