"""Admin console (issue 12): documents, curated answers, rules, service points, unanswered questions."""
