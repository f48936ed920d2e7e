"""What every command module shares: the handler type, output, and the subparsers' type."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:  # argparse's class is generic only to type checkers
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


def out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)
