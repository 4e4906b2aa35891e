"""Handing a conversation to a person: why, with what context, and through which desk."""
