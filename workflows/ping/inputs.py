"""Inputs of the ping workflow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PingInput:
    """What /healthz sends through Temporal; `echo` comes back in the answer."""

    echo: str
