"""Standard Webhooks signing (https://www.standardwebhooks.com): secrets are
`whsec_<base64 of 32 random bytes>`; each request carries `webhook-id`,
`webhook-timestamp` (unix seconds) and `webhook-signature`, a space-separated list of
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per valid secret (two while
a rotated-out secret is still honoured)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_hint(secret: str) -> str:
    """The visible start of a secret, to recognise it without revealing it."""
    return secret[: len(SECRET_PREFIX) + 4] + "..."


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    valid_secrets: list[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The headers of one webhook request."""
    return {
        "content-type": "application/json",
        "user-agent": "scrm-webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in valid_secrets),
    }
