"""Inputs of the welcome workflow and its activity."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WelcomeInput:
    tenant_id: int
    staff_id: int
