"""xAPI data model validation (marshmallow), one module per spec object."""
