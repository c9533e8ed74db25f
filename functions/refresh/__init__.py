"""The daily refresh Lambda: latest closes, the champion's and shadows' forecasts, scores."""
