"""The scheme language: parse → check → compile to IR (see SPEC §2)."""
