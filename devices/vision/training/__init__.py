"""Offline tools: training the top-down net and re-extracting the vendored BlazePose file."""
