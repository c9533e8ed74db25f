"""The scheduled work. Inside out: aws/ (the Lambda plumbing: clients, Powertools' Logger and
Metrics, time left), runs/ (a run's ledger, claims, summary and report), sources/ (where an event
comes from), the two jobs retrain/ and refresh/ (twins built the same way: request, one_ticker,
outcomes, invocation, queue, which never import each other), and beside them what serves both:
the runner of a whole invocation, the dispatch that fans a run out, the SQS consumer, the ticker
list, the sweeper that closes runs past their deadline, ``cryptonic runs``' view and the replay.
"""
