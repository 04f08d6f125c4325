"""CLI commands that live in their own modules; ``twin.cli`` registers each with one line."""
