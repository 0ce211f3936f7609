"""The xAPI data model, its validation and the Learning Record Store.

This package knows nothing of courses or users: the LMS mounts it, and it can run alone.
"""
