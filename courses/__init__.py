"""Course packages (data only): one folder per course with course.toml."""
