"""Webhook delivery: one long-lived workflow per endpoint drains its deliveries in order."""
