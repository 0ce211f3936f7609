"""The catalog feature package."""
