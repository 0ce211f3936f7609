"""The teach feature package."""
