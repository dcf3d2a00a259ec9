# A package, so that its conftest imports as browser.conftest and never shadows tests/service/conftest.py
# (tests/service/test_security.py does `from conftest import Client`).
