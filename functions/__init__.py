"""AWS Lambda entry points: thin handlers over the cryptonic library."""
