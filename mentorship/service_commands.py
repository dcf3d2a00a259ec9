"""The service's commands (`serve`, `demo`, `db`), defined beside the service in service/cli.py."""

from service.cli import COMMANDS

__all__ = ["COMMANDS"]
