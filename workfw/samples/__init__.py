"""Sample organisation (being written)."""
