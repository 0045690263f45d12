"""Deadlines: Chinese working days, licences that expire, reviews and launches that are late, and the
calendar events for each of them."""
