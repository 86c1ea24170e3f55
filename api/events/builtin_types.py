"""Event types of the events domain itself (`webhook.disabled`) and the metadata
engine's `schema.published`, declared here until the metadata domain owns it."""

from __future__ import annotations

from api.events.catalogue import (
    GLOBAL_ID,
    NULLABLE_DATETIME,
    NULLABLE_STRING,
    object_schema,
    register_entity,
    register_event_type,
)

register_entity("webhook_endpoint", node_type="WebhookEndpoint")

register_event_type(
    "webhook.disabled",
    "A webhook endpoint was disabled automatically: one delivery failed for 24 hours and "
    "was dead-lettered. Fix the receiver, enable the endpoint and replay what it missed.",
    object_schema(
        "The endpoint after it was disabled, and the delivery that gave up.",
        {
            "id": GLOBAL_ID,
            "url": {"type": "string"},
            "eventTypes": {"type": "array", "items": {"type": "string"}},
            "changedFields": {"type": "array", "items": {"type": "string"}},
            "enabled": {"type": "boolean"},
            "disabledReason": NULLABLE_STRING,
            "lastSuccessAt": NULLABLE_DATETIME,
            "deadLetter": object_schema(
                "The dead-lettered delivery.",
                {
                    "deliveryId": GLOBAL_ID,
                    "eventId": GLOBAL_ID,
                    "attempts": {"type": "integer"},
                    "lastStatusCode": {"type": ["integer", "null"]},
                    "lastError": NULLABLE_STRING,
                },
            ),
        },
    ),
    scope="webhooks:manage",
)

register_event_type(
    "schema.published",
    "A new version of an entity's field definitions was published: integrators learn "
    "about new custom fields here instead of breaking on them. `changes` says which are "
    "breaking.",
    object_schema(
        "The published version.",
        {
            "entity": {"type": "string", "description": "e.g. `customer`"},
            "version": {"type": "integer", "minimum": 1},
            "previousVersion": {"type": ["integer", "null"]},
            "jsonSchema": {"type": "object", "description": "The compiled JSON Schema."},
            "changes": {
                "type": "object",
                "properties": {
                    "breaking": {"type": "array", "items": {"type": "object"}},
                    "nonBreaking": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["breaking", "nonBreaking"],
            },
        },
        closed=False,
    ),
    scope="events:read",
)
