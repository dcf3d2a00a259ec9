"""The report (SPEC §6): report.py holds it and writes JSON; render.py prints the table, CSV and explanations."""
