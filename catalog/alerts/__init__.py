"""Staying informed: watchlists (which changes matter) and webhook alerts (telling someone)."""
