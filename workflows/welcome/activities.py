"""Activities of the welcome workflow: thin calls into the org services."""

from __future__ import annotations

from temporalio import activity

from api.org.service.notifications import send_welcome as send_welcome_note
from workflows.welcome.inputs import WelcomeInput


@activity.defn
async def send_welcome(data: WelcomeInput) -> int | None:
    """Write the welcome notification (idempotent); its id, or None if the staff is gone."""
    note = await send_welcome_note(data.tenant_id, data.staff_id)
    return note.id if note else None
