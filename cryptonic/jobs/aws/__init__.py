"""What the jobs use of AWS inside a Lambda function: boto3 clients with timeouts of their own,
Powertools' Logger and Metrics (EMF), and the time the invocation has left. Nothing here knows a
job or a run; the serving path never imports it (an import-linter contract).
"""
