"""Rasa custom actions: thin glue between the dialogue and the domain code in `bot/`."""
