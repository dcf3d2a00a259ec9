"""Evaluation (SPEC §4): windows → subjects → duties, ratios, scores; evaluate.py runs them all."""
