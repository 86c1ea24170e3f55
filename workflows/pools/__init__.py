"""Recycling held leads: one `LeadRecycleWorkflow` per assignment with a recycle rule."""
