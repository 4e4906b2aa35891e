"""Adapters to systems the action server talks to over the network."""
