"""Every setting of the SCRM backend, read once from the environment or `.env`.

Nothing else in the code base reads `os.environ`; import the constants from here.
"""

from __future__ import annotations

from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

BASE_DIR = Path(__file__).resolve().parent
config = Config(BASE_DIR / ".env" if (BASE_DIR / ".env").exists() else None)

DEBUG: bool = config("DEBUG", cast=bool, default=False)

# Storage
VAR_DIR: Path = config("VAR_DIR", cast=Path, default=BASE_DIR / "var")
DATABASE_URL: str = config("DATABASE_URL", default=f"sqlite://{VAR_DIR / 'scrm.sqlite3'}")

# Temporal. An empty TEMPORAL_ADDRESS means "the embedded dev server that `scrm up` starts".
EMBEDDED_TEMPORAL_PORT: int = config("EMBEDDED_TEMPORAL_PORT", cast=int, default=7233)
TEMPORAL_ADDRESS: str = config("TEMPORAL_ADDRESS", default="")
TEMPORAL_NAMESPACE: str = config("TEMPORAL_NAMESPACE", default="default")
TEMPORAL_TASK_QUEUE: str = config("TEMPORAL_TASK_QUEUE", default="scrm")
TEMPORAL_DB_FILE: Path = config("TEMPORAL_DB_FILE", cast=Path, default=VAR_DIR / "temporal.sqlite3")

# HTTP
HOST: str = config("HOST", default="127.0.0.1")
PORT: int = config("PORT", cast=int, default=8000)
ALLOWED_ORIGINS: list[str] = [
    o.strip() for o in config("ALLOWED_ORIGINS", default="").split(",") if o.strip()
]

# Auth
SECRET_KEY: Secret = config(
    "SECRET_KEY", cast=Secret, default="dev-only-change-me-please-32-bytes!"
)
ACCESS_TOKEN_TTL_SECONDS: int = config("ACCESS_TOKEN_TTL_SECONDS", cast=int, default=3600)
# argon2id cost (OWASP's minimum recommendation by default; raise on strong hardware).
PASSWORD_HASH_TIME_COST: int = config("PASSWORD_HASH_TIME_COST", cast=int, default=2)
PASSWORD_HASH_MEMORY_KIB: int = config("PASSWORD_HASH_MEMORY_KIB", cast=int, default=19456)
LOGIN_MAX_FAILURES_PER_ACCOUNT: int = config("LOGIN_MAX_FAILURES_PER_ACCOUNT", cast=int, default=5)
LOGIN_MAX_FAILURES_PER_IP: int = config("LOGIN_MAX_FAILURES_PER_IP", cast=int, default=20)
LOGIN_FAILURE_WINDOW_SECONDS: int = config("LOGIN_FAILURE_WINDOW_SECONDS", cast=int, default=900)

# Events and webhooks
# Subscribers re-read the outbox at least this often (the only cross-process path on SQLite).
EVENTS_POLL_SECONDS: float = config("EVENTS_POLL_SECONDS", cast=float, default=1.0)
WEBHOOK_TIMEOUT_SECONDS: float = config("WEBHOOK_TIMEOUT_SECONDS", cast=float, default=10.0)
# How often each API process wakes webhook endpoints left behind (e.g. Temporal was down).
WEBHOOK_RECONCILE_SECONDS: float = config("WEBHOOK_RECONCILE_SECONDS", cast=float, default=60.0)

# Local time of the business: claim limits per day reset at its midnight.
BUSINESS_TIMEZONE: str = config("BUSINESS_TIMEZONE", default="Asia/Shanghai")
# Pools that assign automatically sweep their waiting leads at least this often.
POOL_SWEEP_SECONDS: float = config("POOL_SWEEP_SECONDS", cast=float, default=300.0)

# GraphQL limits
GRAPHQL_MAX_DEPTH: int = config("GRAPHQL_MAX_DEPTH", cast=int, default=10)
GRAPHQL_MAX_TOKENS: int = config("GRAPHQL_MAX_TOKENS", cast=int, default=2000)
GRAPHQL_MAX_PAGE_SIZE: int = config("GRAPHQL_MAX_PAGE_SIZE", cast=int, default=200)
GRAPHQL_DEFAULT_PAGE_SIZE: int = config("GRAPHQL_DEFAULT_PAGE_SIZE", cast=int, default=50)

# Records migrated per activity when a field version change needs a migration.
SCHEMA_MIGRATION_BATCH_SIZE: int = config("SCHEMA_MIGRATION_BATCH_SIZE", cast=int, default=500)

MODEL_MODULES: list[str] = [
    "api.org.models",
    "api.metadata.models",
    "api.customers.models",
    "api.events.models",
    "api.assignment.models",
    "api.leads.models",
]


def temporal_target() -> str:
    """The Temporal frontend address the API and worker connect to."""
    return TEMPORAL_ADDRESS or f"127.0.0.1:{EMBEDDED_TEMPORAL_PORT}"


def tortoise_config(database_url: str | None = None) -> dict:
    """Tortoise config for `database_url` (default: DATABASE_URL)."""
    return {
        "connections": {"default": database_url or DATABASE_URL},
        "apps": {
            "scrm": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config()
