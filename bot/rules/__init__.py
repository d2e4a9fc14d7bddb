"""Admin tooling for the rules files (`python -m bot.rules check`)."""
