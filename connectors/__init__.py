"""Rasa input channels and the agent-handoff plumbing they share."""
