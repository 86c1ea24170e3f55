"""Tables of the assignment module: how many items each seat of a queue has received."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AssignmentCounter(Model):
    """Items a staff member has received from one queue (a pool, a channel code...).

    Round robin and weighted assignment pick the seat furthest behind its share and
    bump its counter with a compare-and-set, so concurrent assignments stay exact.
    """

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    queue = fields.CharField(max_length=100)
    staff = fields.ForeignKeyField("scrm.Staff", related_name=False, on_delete=fields.CASCADE)
    assigned = fields.BigIntField(default=0)

    class Meta:
        table = "assignment_counter"
        unique_together = (("tenant_id", "queue", "staff_id"),)
