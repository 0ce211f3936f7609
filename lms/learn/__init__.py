"""The learn feature package."""
