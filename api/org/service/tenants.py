"""Creating tenants (a platform operation, not exposed to tenants) and the demo tenant."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from api.auth import Actor, Role, hash_password
from api.db import atomic
from api.errors import Conflict, FieldErrors
from api.org.models import Staff, Tenant
from api.org.service.actors import actor_for_staff
from api.org.service.departments import create_department
from api.org.service.staff import StaffChanges, create_staff
from schemas.formats import is_email, normalize_email


async def create_tenant(
    slug: str, name: str, admin_name: str, admin_email: str, admin_password: str
) -> tuple[Tenant, Staff]:
    """A tenant with its first admin."""
    errors = FieldErrors(prefix=())
    slug = slug.strip().lower()
    errors.check(
        slug.replace("-", "").isalnum() and 0 < len(slug) <= 64,
        ("slug",),
        "pattern",
        "Use 1-64 letters, digits and dashes",
    )
    errors.check(is_email(normalize_email(admin_email)), ("adminEmail",), "format", "Bad email")
    errors.check(len(admin_password) >= 10, ("adminPassword",), "minLength", "Too short")
    errors.raise_if_any()
    try:
        async with atomic():
            tenant = await Tenant.create(slug=slug, name=name.strip())
            admin = await Staff.create(
                tenant=tenant,
                name=admin_name,
                email=normalize_email(admin_email),
                password_hash=hash_password(admin_password),
                roles=[Role.ADMIN.value],
            )
    except IntegrityError as exc:
        raise Conflict(f"Tenant {slug!r} exists", path=["slug"]) from exc
    return tenant, admin


@dataclass(frozen=True)
class DemoLogin:
    tenant: str
    email: str
    password: str
    name: str
    role: str


DEMO_TENANT = "demo"
DEMO_PASSWORD = "demo-password-1"
DEMO_LOGINS = [
    DemoLogin(DEMO_TENANT, "admin@demo.example", DEMO_PASSWORD, "Ada Admin", "admin"),
    DemoLogin(DEMO_TENANT, "manager@demo.example", DEMO_PASSWORD, "Mia Manager", "manager"),
    DemoLogin(DEMO_TENANT, "sam@demo.example", DEMO_PASSWORD, "Sam Staff", "staff"),
    DemoLogin(DEMO_TENANT, "sue@demo.example", DEMO_PASSWORD, "Sue Staff", "staff"),
]


async def seed_demo() -> bool:
    """Create the demo tenant unless it exists; True when it was created."""
    if await Tenant.exists(slug=DEMO_TENANT):
        return False
    admin_login, manager, *staff = DEMO_LOGINS
    async with atomic():
        _, admin = await create_tenant(
            DEMO_TENANT, "Demo Trading Co.", admin_login.name, admin_login.email, DEMO_PASSWORD
        )
        actor = await actor_for_staff(admin)
        hq = await create_department(actor, "Headquarters", None)
        await Staff.filter(id=admin.id).update(department_id=hq.id)
        sales = await create_department(actor, "Sales", hq.id)
        east = await create_department(actor, "Sales East", sales.id)
        await create_department(actor, "Customer Service", hq.id)
        await create_staff(
            actor,
            StaffChanges(
                name=manager.name,
                email=manager.email,
                password=DEMO_PASSWORD,
                roles=[Role.MANAGER],
                department_id=sales.id,
            ),
        )
        for login, dept in zip(staff, (sales, east), strict=True):
            await create_staff(
                actor,
                StaffChanges(
                    name=login.name,
                    email=login.email,
                    password=DEMO_PASSWORD,
                    roles=[Role.STAFF],
                    department_id=dept.id,
                ),
            )
        await _demo_pool(actor, sales.id)
    return True


async def _demo_pool(actor: Actor, sales_id: int) -> None:
    """A pool of the Sales team with a recycle policy and a few waiting leads."""
    from api.leads.service import pools, records  # the demo spans domains

    pool = await pools.create_pool(
        actor,
        pools.PoolChanges(
            name="Sales pool",
            description="Web and expo leads for the sales team",
            holding_cap=30,
            set_holding_cap=True,
            claims_per_day=20,
            set_claims_per_day=True,
            recycle={
                "validFollowUp": {"kinds": ["call", "visit"], "minLength": 10},
                "warnHours": 24,
                "rules": [{"type": "single", "days": 7}, {"type": "periodic", "days": 14}],
            },
            department_ids=[sales_id],
        ),
    )
    for name, source in (("Li Wei", "web"), ("Wang Fang", "expo"), ("Zhang Min", "web")):
        await records.create_lead(
            actor, records.LeadChanges(name=name, source=source, pool_id=pool.id)
        )
