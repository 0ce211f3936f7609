"""Tests of the accounts feature (a package, so that other test folders can import its helpers)."""
