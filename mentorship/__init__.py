"""The `mentorship` command line: one console script over rules_dsl, engine and service."""
