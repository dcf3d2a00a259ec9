"""The web service (later issue)."""
