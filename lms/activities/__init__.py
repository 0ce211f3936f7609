"""Activity type plugins: the contract (base.py), the loader (registry.py) and the built-ins."""
