"""Figures of organizational life: events, lectures, person-times, hours and compliance."""
