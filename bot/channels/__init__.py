"""Resident-facing channels that talk to the shared conversation core (WeChat Official Account)."""
