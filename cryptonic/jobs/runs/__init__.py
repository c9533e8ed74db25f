"""A fanned-out run's life, the same for both jobs: its ledger in the store (the plan, a claim
per ticker, each ticker's first final result, one summary), how a ticker's failure becomes its
result, and the report that announces a finished run once (metrics, the notification). Never
imports a job (retrain/, refresh/): the jobs and the sweeper build on it.
"""
