"""DataLoaders of the organisation domain."""

from __future__ import annotations

from api.loaders import RowByIdLoader
from api.org.models import Department, Staff, Tenant


class TenantByIdLoader(RowByIdLoader[Tenant]):
    model = Tenant


class DepartmentByIdLoader(RowByIdLoader[Department]):
    model = Department


class StaffByIdLoader(RowByIdLoader[Staff]):
    model = Staff
