"""The scheduled work: the dispatch that fans a run out, the SQS consumer, the run ledger, the
ticker list, CloudWatch output, the replay, and the two jobs, retrain/ and refresh/, built the same
way.
"""
