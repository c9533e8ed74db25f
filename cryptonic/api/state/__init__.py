"""What one serving instance keeps in memory: its settings and caches (champions, manifests,
version listings, track records, ticker summaries) and the bodies built from them."""
