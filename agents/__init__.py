"""Agents of the twin: shoppers (and, later, staff) with their behaviour and policies."""
