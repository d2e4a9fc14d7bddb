"""Agent assist for 12345-hotline staff (issue 7): live facts, checklist, answers, offices, script, ticket summary."""
