"""One router per center; handlers check access, call the domain and return public schemas."""
