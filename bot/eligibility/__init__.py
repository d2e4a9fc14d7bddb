"""Eligibility for the five contract programs, with rules as data in policy_kb/rules/."""
