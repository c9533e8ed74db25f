"""The scheduled work: where an event comes from (sources/), the runner of a whole invocation,
the dispatch that fans a run out, the SQS consumer, the run ledger and the metrics of a run, the
ticker list, CloudWatch output, the replay, and the two jobs, retrain/ and refresh/: twins built
the same way (request, one_ticker, outcomes, invocation, queue), which never import each other.
"""
