"""The Learning Record Store: storage, the single ingest path and the xAPI HTTP API."""
