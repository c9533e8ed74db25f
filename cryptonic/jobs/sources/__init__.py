"""Where an event comes from: one module per source (a schedule, a direct invoke, SQS records),
each saying whether it recognises an event; ``infer.source_of`` picks, once, in order."""
