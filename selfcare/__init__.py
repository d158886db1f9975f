"""selfcare: the self-service portal and app back end of a mobile operator."""
