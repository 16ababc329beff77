"""Pictures of plans and runs (matplotlib, the ``report`` extra)."""
