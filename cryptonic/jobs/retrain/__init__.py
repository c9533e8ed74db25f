"""The weekly retrain: request, one ticker, outcomes, the invocation, the queue consumer; beside
them the steps of one ticker (snapshot, skip, plan, fits, gate_inputs and gate, manifest_draft)
and the first models ``make run`` needs."""
