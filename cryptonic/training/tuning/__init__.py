"""``cryptonic tune``: the search over the model's knobs, scored without leakage."""
