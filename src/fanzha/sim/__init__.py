"""fanzha.sim: a seeded generator of a realistic scam ecosystem with ground truth."""
