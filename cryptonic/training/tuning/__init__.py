"""``cryptonic tune``: the search over the model's knobs, scored without leakage: what it may
search (space.py), where it looks and where it must not (windows.py), the search itself
(search.py) and what it prints (report.py)."""
