"""The engine: a compiled scheme + a school data bundle + a date → a report (SPEC §3–§6)."""
