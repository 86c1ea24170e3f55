"""The events domain: transactional outbox, event catalogue, subscriptions, webhooks
and idempotent mutations. See README.md here for how a domain emits events."""
